// The page's entry: asks the host for the first screen (early-connection.ts), then loads the console. The
// connection and the console's script load side by side; kept tiny so it runs at once. The stylesheet is
// the entry's, so the page names it in its head and it loads beside the scripts, not after this one runs.
import './styles.css';
import { openEarlyConnection } from './api/early-connection.js';

openEarlyConnection();
void import('./main.js');
