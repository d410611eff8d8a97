"""Who publishes this API: used by the OpenAPI `info.contact` and the DCAT catalogue."""

PUBLISHER_NAME = "Gemeente Maastricht"
# The municipality in the Dutch government's organisation list (OWMS).
PUBLISHER_URI = "http://standaarden.overheid.nl/owms/terms/Maastricht_(gemeente)"
CONTACT_NAME = "Gemeente Maastricht, open data"
CONTACT_URL = "https://www.gemeentemaastricht.nl"
CONTACT_EMAIL = "opendata@maastricht.nl"
