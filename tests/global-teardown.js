// Stop the run's PostgreSQL cluster and delete its files.
module.exports = async function globalTeardown() {
  const cluster = globalThis.__POSTGRES_CLUSTER__;
  if (cluster) cluster.remove();
};
