"""_declare"""
