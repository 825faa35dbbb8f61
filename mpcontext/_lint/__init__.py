"""_lint"""
