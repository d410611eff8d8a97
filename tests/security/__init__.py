"""Regression tests for attacks on the service: each reproduces one as an attacker would."""
