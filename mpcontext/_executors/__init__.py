"""_executors"""
