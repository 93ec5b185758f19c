"""Housekeeping queries: the maintenance lease, expired credentials, idle sandboxes."""
