"""The JSON API: routes (`api.routes`) and their input/output schemas (`api.schemas`)."""
