"""FHIR R4 Patient Access API (CMS-9115-F): members' own data for the apps they choose."""
