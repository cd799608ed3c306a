"""Local stand-in for Cdiscount's token and SOAP services and Octopia's API."""
