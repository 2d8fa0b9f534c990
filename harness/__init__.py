"""What the tests, the benchmark and the chaos run start for themselves: free ports, and their
own PostgreSQL and RabbitMQ servers, so nothing they do touches the machine's own servers."""
