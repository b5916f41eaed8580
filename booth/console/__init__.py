"""The operator's side: a console on the LAN, fleet metrics, lead export (see README.md here)."""
