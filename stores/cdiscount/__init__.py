"""Clients for Cdiscount's legacy marketplace API: token service and SOAP."""
