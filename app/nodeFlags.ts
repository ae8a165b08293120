/**
 * The V8 flags a server process runs with: `npm start` passes them on its
 * command line (package.json), and every benchmark that starts a server
 * passes the same list, so that what is measured is what runs.
 *
 * - `--max-semi-space-size=64`: a turn allocates many small, short-lived
 *   objects (search candidates, feature maps); a larger young generation
 *   keeps them out of the old one and garbage-collection pauses out of the p99.
 * - `--no-allocation-site-pretenuring`: at start the models and the search
 *   index are built from tens of thousands of examples whose objects all
 *   live on, so V8 learns to allocate straight into the old generation at
 *   the sites that made them (feature maps, tokens); the same sites then run
 *   on every turn, whose objects die at once, and the old generation filled
 *   with them (about 1.4 MB a scavenge on the benchmark's questions). The
 *   assistant's `respond` took about a third longer with pretenuring on
 *   (median of five 5-s runs on the benchmark's questions: 521 µs against 351).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64', '--no-allocation-site-pretenuring'] as const;
