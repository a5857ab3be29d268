// The page's entry: asks the host for the first screen (early-connection.ts), then loads the console. The
// connection and the console's script load side by side; kept tiny so it runs at once.
import { openEarlyConnection } from './api/early-connection.js';

openEarlyConnection();
void import('./main.js');
