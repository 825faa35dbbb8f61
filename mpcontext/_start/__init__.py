"""_start"""
