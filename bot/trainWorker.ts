/**
 * A worker thread that trains the assistant's classifiers for a knowledge
 * base and leaves them in the model cache (MODEL_CACHE_DIR), so that a
 * reload while the server runs trains off the event loop: the server keeps
 * answering, and the assistant built afterwards on the main thread loads
 * the trained models from the cache (their key is a hash of the training
 * data, the same on both threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KnowledgeBase } from '../knowledge/loader';
import { Assistant } from './assistant';

new Assistant((workerData as { kb: KnowledgeBase }).kb);
parentPort?.postMessage('trained');
