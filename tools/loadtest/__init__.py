"""The load test (`make loadtest`): locust against gunicorn on the benchmark's data set."""
