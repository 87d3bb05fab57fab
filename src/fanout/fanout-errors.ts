import { FrameshError } from '../errors.js';

/** A line of the client configuration file ($FRAMESH_HOME/config or -F) that cannot be used. */
export class ConfigError extends FrameshError {
  declare readonly code: 'CONFIG';
  constructor(file: string, line: number, message: string) {
    super('CONFIG', `${file}:${line}: ${message}`);
  }
}

/** An inventory (--hosts FILE), a host range or a host selection that cannot be used. */
export class InventoryError extends FrameshError {
  declare readonly code: 'INVENTORY';
  constructor(message: string) {
    super('INVENTORY', message);
  }
}
