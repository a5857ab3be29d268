// Which SQL functions a read-only block may call: built-ins of PostgreSQL that read and compute, nothing
// else. A function not listed here is never allowed (it may be user-defined and do anything), and a few
// well-known state changers carry their reason for the message.

/** Built-in functions without side effects, by name (as the parser gives it: unquoted names are lower case). */
export const READ_ONLY_FUNCTIONS: ReadonlySet<string> = new Set([
  // conditionals the grammar turns into expressions of their own, listed for completeness
  'coalesce', 'nullif', 'greatest', 'least',
  // aggregates
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or',
  'bit_xor', 'json_agg', 'jsonb_agg', 'json_agg_strict', 'jsonb_agg_strict', 'json_object_agg', 'jsonb_object_agg',
  'json_object_agg_strict', 'jsonb_object_agg_strict', 'json_object_agg_unique', 'jsonb_object_agg_unique', 'xmlagg',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'corr', 'covar_pop', 'covar_samp',
  'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy',
  'percentile_cont', 'percentile_disc', 'mode', 'any_value', 'range_agg', 'range_intersect_agg',
  // window functions
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value',
  'nth_value',
  // date and time
  'now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday', 'age', 'date_trunc', 'date_part',
  'extract', 'date_bin', 'date_add', 'date_subtract', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz',
  'make_interval', 'to_timestamp', 'to_char', 'to_date', 'to_number', 'justify_days', 'justify_hours', 'justify_interval',
  'isfinite', 'timezone', 'overlaps',
  // strings
  'lower', 'upper', 'initcap', 'casefold', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length',
  'substr', 'substring', 'position', 'strpos', 'replace', 'translate', 'btrim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'left',
  'right', 'repeat', 'reverse', 'split_part', 'concat', 'concat_ws', 'format', 'quote_ident', 'quote_literal',
  'quote_nullable', 'regexp_match', 'regexp_matches', 'regexp_replace', 'regexp_split_to_array', 'regexp_split_to_table',
  'regexp_count', 'regexp_instr', 'regexp_like', 'regexp_substr', 'starts_with', 'ascii', 'chr', 'md5', 'sha224', 'sha256',
  'sha384', 'sha512', 'encode', 'decode', 'to_hex', 'to_bin', 'to_oct', 'convert', 'convert_from', 'convert_to',
  'overlay', 'string_to_array', 'array_to_string', 'string_to_table', 'unistr', 'normalize', 'is_normalized',
  'parse_ident', 'similar_to_escape', 'similar_escape', 'pg_collation_for', 'crc32', 'crc32c', 'text', 'get_bit',
  'get_byte', 'set_bit', 'set_byte', 'bit_count',
  // numbers
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'power', 'pow', 'exp', 'ln', 'log', 'log10',
  'mod', 'div', 'pi', 'degrees', 'radians', 'width_bucket', 'gcd', 'lcm', 'factorial', 'scale', 'min_scale', 'trim_scale',
  'sin', 'cos', 'tan', 'cot', 'asin', 'acos', 'atan', 'atan2', 'sind', 'cosd', 'tand', 'cotd', 'asind', 'acosd', 'atand',
  'atan2d', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'random', 'random_normal', 'num_nulls', 'num_nonnulls',
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'date', 'time', 'timestamp', 'timestamptz', 'interval',
  'varchar', 'bpchar', 'name', 'oid', 'inet', 'cidr', 'uuid',
  // arrays, ranges, set-returning helpers
  'array_length', 'array_lower', 'array_upper', 'array_ndims', 'array_dims', 'cardinality', 'array_position',
  'array_positions', 'array_remove', 'array_replace', 'array_append', 'array_prepend', 'array_cat', 'array_fill',
  'array_to_json', 'array_reverse', 'array_sort', 'trim_array', 'unnest', 'generate_series', 'generate_subscripts',
  'isempty', 'lower_inc', 'upper_inc', 'lower_inf', 'upper_inf', 'range_merge', 'int4range', 'int8range', 'numrange',
  'tsrange', 'tstzrange', 'daterange', 'multirange', 'unnest',
  // JSON
  'to_json', 'to_jsonb', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'json_object',
  'jsonb_object', 'json_array_length', 'jsonb_array_length', 'json_each', 'jsonb_each', 'json_each_text', 'jsonb_each_text',
  'json_extract_path', 'jsonb_extract_path', 'json_extract_path_text', 'jsonb_extract_path_text', 'json_object_keys',
  'jsonb_object_keys', 'json_array_elements', 'jsonb_array_elements', 'json_array_elements_text',
  'jsonb_array_elements_text', 'json_typeof', 'jsonb_typeof', 'jsonb_pretty', 'jsonb_set', 'jsonb_set_lax', 'jsonb_insert',
  'jsonb_strip_nulls', 'json_strip_nulls', 'jsonb_path_query', 'jsonb_path_query_array', 'jsonb_path_query_first',
  'jsonb_path_exists', 'jsonb_path_match', 'row_to_json', 'json_populate_record', 'jsonb_populate_record',
  'json_to_record', 'jsonb_to_record', 'json_to_recordset', 'jsonb_to_recordset', 'json_populate_recordset',
  'jsonb_populate_recordset',
  // text search, network, uuid, xml
  'to_tsvector', 'to_tsquery', 'plainto_tsquery', 'phraseto_tsquery', 'websearch_to_tsquery', 'ts_rank', 'ts_rank_cd',
  'ts_headline', 'setweight', 'strip', 'numnode', 'querytree', 'host', 'hostmask', 'masklen', 'netmask', 'network',
  'broadcast', 'family', 'abbrev', 'inet_same_family', 'inet_merge', 'set_masklen', 'gen_random_uuid', 'uuidv4', 'uuidv7',
  'uuid_extract_timestamp', 'uuid_extract_version', 'xpath', 'xpath_exists', 'xml_is_well_formed',
  'xml_is_well_formed_document', 'xml_is_well_formed_content',
  // session and server information
  'version', 'current_setting', 'current_database', 'current_catalog', 'current_schema', 'current_schemas',
  'current_user', 'session_user', 'current_role', 'system_user', 'user', 'pg_backend_pid', 'pg_postmaster_start_time',
  'pg_conf_load_time', 'pg_is_in_recovery', 'pg_is_wal_replay_paused', 'pg_get_wal_replay_pause_state',
  'pg_last_wal_receive_lsn', 'pg_last_wal_replay_lsn', 'pg_last_xact_replay_timestamp', 'pg_current_wal_lsn',
  'pg_current_wal_insert_lsn', 'pg_current_wal_flush_lsn', 'pg_wal_lsn_diff', 'pg_walfile_name', 'pg_walfile_name_offset',
  'pg_split_walfile_name', 'pg_control_checkpoint', 'pg_control_system', 'pg_control_init', 'pg_control_recovery',
  'txid_current_if_assigned', 'pg_current_xact_id_if_assigned', 'txid_current_snapshot', 'pg_current_snapshot',
  'txid_snapshot_xmin', 'txid_snapshot_xmax', 'txid_snapshot_xip', 'txid_visible_in_snapshot', 'pg_snapshot_xmin',
  'pg_snapshot_xmax', 'pg_snapshot_xip', 'pg_visible_in_snapshot', 'txid_status', 'pg_xact_status', 'mxid_age',
  'pg_xact_commit_timestamp', 'pg_xact_commit_timestamp_origin', 'pg_last_committed_xact', 'pg_trigger_depth',
  'pg_jit_available', 'pg_listening_channels', 'pg_notification_queue_usage', 'pg_current_logfile', 'inet_client_addr',
  'inet_client_port', 'inet_server_addr', 'inet_server_port', 'pg_client_encoding', 'pg_encoding_to_char',
  'pg_char_to_encoding', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids', 'pg_stat_get_activity',
  'pg_stat_get_backend_idset', 'pg_lock_status', 'pg_show_all_settings', 'pg_settings_get_flags', 'pg_get_keywords',
  'pg_get_catalog_foreign_keys', 'pg_available_extensions', 'pg_available_extension_versions', 'pg_get_wal_resource_managers',
  'pg_get_replication_slots', 'pg_get_shmem_allocations', 'pg_get_backend_memory_contexts', 'pg_stat_statements',
  'pg_input_is_valid', 'pg_input_error_info', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'currval', 'lastval',
  'pg_sequence_last_value', 'pg_sequence_parameters', 'pg_database_collation_actual_version', 'pg_collation_actual_version',
  // sizes
  'pg_size_pretty', 'pg_size_bytes', 'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size',
  'pg_database_size', 'pg_tablespace_size', 'pg_column_size', 'pg_column_compression', 'pg_column_toast_chunk_id',
  'pg_relation_filenode', 'pg_relation_filepath', 'pg_filenode_relation', 'pg_tablespace_location',
  'pg_tablespace_databases',
  // catalogue
  'pg_get_viewdef', 'pg_get_functiondef', 'pg_get_indexdef', 'pg_get_constraintdef', 'pg_get_triggerdef', 'pg_get_ruledef',
  'pg_get_expr', 'pg_get_userbyid', 'pg_get_serial_sequence', 'pg_get_function_arguments', 'pg_get_function_result',
  'pg_get_function_identity_arguments', 'pg_get_function_sqlbody', 'pg_get_statisticsobjdef', 'pg_get_statisticsobjdef_columns',
  'pg_get_statisticsobjdef_expressions', 'pg_get_partkeydef', 'pg_get_partition_constraintdef',
  'pg_get_replica_identity_index', 'pg_typeof', 'format_type', 'to_regclass', 'to_regtype', 'to_regtypemod', 'to_regproc',
  'to_regprocedure', 'to_regnamespace', 'to_regrole', 'to_regoper', 'to_regoperator', 'to_regcollation',
  'obj_description', 'col_description', 'shobj_description', 'pg_describe_object', 'pg_identify_object',
  'pg_identify_object_as_address', 'pg_get_object_address', 'pg_index_column_has_property', 'pg_index_has_property',
  'pg_indexam_has_property', 'pg_options_to_table', 'pg_relation_is_updatable', 'pg_column_is_updatable',
  'pg_partition_tree', 'pg_partition_root', 'pg_partition_ancestors', 'pg_mcv_list_items', 'pg_table_is_visible',
  'pg_type_is_visible', 'pg_function_is_visible', 'pg_operator_is_visible', 'pg_opclass_is_visible', 'pg_opfamily_is_visible',
  'pg_collation_is_visible', 'pg_conversion_is_visible', 'pg_statistics_obj_is_visible', 'pg_ts_config_is_visible',
  'pg_ts_dict_is_visible', 'pg_ts_parser_is_visible', 'pg_ts_template_is_visible', 'pg_my_temp_schema',
  'pg_is_other_temp_schema', 'row_security_active', 'pg_has_role', 'has_table_privilege', 'has_schema_privilege',
  'has_database_privilege', 'has_column_privilege', 'has_any_column_privilege', 'has_function_privilege',
  'has_sequence_privilege', 'has_tablespace_privilege', 'has_type_privilege', 'has_foreign_data_wrapper_privilege',
  'has_server_privilege', 'has_language_privilege', 'has_parameter_privilege', 'pg_get_acl', 'acldefault', 'aclexplode',
  'makeaclitem',
]);

/** Read-only families named by prefix: the statistics getters (pg_stat_reset* is a different prefix). */
export const READ_ONLY_FUNCTION_PREFIXES: readonly string[] = ['pg_stat_get_'];

/** Why some well-known functions are refused, for the message; any function not allowed above is refused. */
const CHANGES_STATE: readonly [RegExp, string][] = [
  [/^(setval|nextval)$/, 'changes a sequence'],
  [/^(txid_current|pg_current_xact_id)$/, 'assigns a transaction id'],
  [/^(pg_terminate_backend|pg_cancel_backend)$/, 'stops another session'],
  [/^pg_reload_conf$/, 'reloads the server configuration'],
  [/^set_config$/, 'changes a setting'],
  [/^setseed$/, 'changes the session random seed'],
  [/^pg_(try_)?advisory_/, 'takes or releases an advisory lock'],
  [/^dblink/, 'runs SQL on another server'],
  [/^lo_|^lowrite$|^loread$/, 'works on large objects'],
  [/^pg_(read_file|read_binary_file|ls_|stat_file|file_)/, 'reads or writes server files'],
  [/^pg_stat_reset|^pg_stat_clear_snapshot$/, 'resets statistics'],
  [/^pg_notify$/, 'sends a notification'],
  [/^pg_(switch_wal|create_restore_point|backup_start|backup_stop|start_backup|stop_backup|promote|rotate_logfile|log_backend_memory_contexts|wal_replay_pause|wal_replay_resume)$/, 'acts on the server'],
  [/replication_slot|^pg_logical_|^pg_replication_origin_/, 'acts on replication'],
  [/^(query_to_xml|query_to_xmlschema|query_to_xml_and_xmlschema|cursor_to_xml|ts_stat|database_to_xml.*|schema_to_xml.*)$/, 'runs SQL given as text'],
  [/^pg_import_system_collations$|^pg_prewarm$/, 'changes server state'],
];

export function functionAllowed(name: string): boolean {
  return READ_ONLY_FUNCTIONS.has(name) || READ_ONLY_FUNCTION_PREFIXES.some((p) => name.startsWith(p));
}

/** "changes a sequence" for setval; null for a function with no known reason (it is simply not allowed). */
export function functionRefusal(name: string): string | null {
  for (const [pattern, reason] of CHANGES_STATE) if (pattern.test(name)) return reason;
  return null;
}

/**
 * Built-in operator names a read-only block may use. An operator is a function call, and CREATE OPERATOR
 * can give any name (===, ~<~ …) to a function that writes; only these names, unqualified or in
 * pg_catalog, are allowed. (A built-in name can still be defined again for other argument types in
 * another schema: that, like other calls the text cannot show, is left to the READ ONLY transaction.)
 */
export const READ_ONLY_OPERATORS: ReadonlySet<string> = new Set([
  // comparison
  '=', '<>', '!=', '<', '>', '<=', '>=',
  // arithmetic, bits, strings
  '+', '-', '*', '/', '%', '^', '|/', '||/', '@', '!!', '&', '|', '#', '~', '<<', '>>', '||', '^@',
  // patterns (LIKE, ILIKE, regular expressions)
  '~~', '!~~', '~~*', '!~~*', '~*', '!~', '!~*',
  // containment, overlap, access: arrays, ranges, JSON, text search, network addresses, geometry
  '@>', '<@', '&&', '->', '->>', '#>', '#>>', '#-', '?', '?|', '?&', '@?', '@@', '@@@', '<->', '##', '-|-', '&<', '&>',
  '<<|', '|>>', '&<|', '|&>', '<^', '>^', '?#', '?-', '?-|', '?||', '~=', '@-@', '<<=', '>>=',
  // record image comparison
  '*=', '*<>', '*<', '*>', '*<=', '*>=',
]);

/** The names the grammar gives BETWEEN (it becomes >= and <=). */
export const BETWEEN_OPERATORS: ReadonlySet<string> = new Set(['BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC', 'NOT BETWEEN SYMMETRIC']);
