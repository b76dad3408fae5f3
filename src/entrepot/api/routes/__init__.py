"""The JSON API's routers, one per area; each route is a thin shell over a service."""
