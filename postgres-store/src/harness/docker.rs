//! The container fallback (feature `docker`).

use testcontainers_modules::{
    postgres::Postgres,
    testcontainers::{ContainerAsync, runners::AsyncRunner},
};

/// A running PostgreSQL container; removed when dropped.
pub(crate) type Container = ContainerAsync<Postgres>;

/// Starts a container and returns it with the url of its `postgres` database.
pub(crate) async fn start() -> Result<(Container, String), String> {
    let container = Postgres::default()
        .start()
        .await
        .map_err(|e| format!("cannot start a PostgreSQL container: {e}"))?;
    let host = container
        .get_host()
        .await
        .map_err(|e| format!("cannot find the container's host: {e}"))?;
    let port = container
        .get_host_port_ipv4(5432)
        .await
        .map_err(|e| format!("cannot find the container's port: {e}"))?;
    let url = format!("postgres://postgres:postgres@{host}:{port}/postgres");
    Ok((container, url))
}
