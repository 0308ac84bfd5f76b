"""What every web surface shares, with no routes of its own: content negotiation, caching,
errors and what of them the public may read, the reader's language, templating, links,
security headers and query-string checks.

May not: register a route, import from :mod:`regiograph.server.routes`, or decide anything
about the data (that is the domain packages' job).
"""
