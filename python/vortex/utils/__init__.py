"""Airflow's ``airflow.utils`` helpers that DAG files use while they are built."""
