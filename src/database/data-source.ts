import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig, loadDotEnv } from '../config/load-app-config.js';
import { buildDataSourceOptions } from './database.options.js';

loadDotEnv();

/**
 * The DataSource for the TypeORM CLI (`npm run migration:run`, `migration:show`), configured
 * from the same environment as the service. The service itself runs migrations at startup.
 */
export default new DataSource(buildDataSourceOptions(loadAppConfig(process.env).database));
