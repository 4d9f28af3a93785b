/**
 * The graph layout worker: elkjs's compiled layouter, which answers the ELK API's messages on
 * this worker's `onmessage` (it installs itself when loaded without a `document`). Off the main
 * thread, so laying out a graph never blocks scrolling or clicks.
 */
import 'elkjs/lib/elk-worker.min.js';
