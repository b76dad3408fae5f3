"""The JSON API's request and response bodies (pydantic at the edge only), and the
functions that turn domain records into them: one module per area of the API."""
