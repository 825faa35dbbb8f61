"""_preflight"""
