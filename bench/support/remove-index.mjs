// Removes what a benchmark case put on the search node for one index, so that no run leaves anything behind.
import { attributeKeywordsPipelineId, buildIndexTemplate } from '../../packages/es-index-setup/dist/index.js';

/**
 * Deletes `index` and its rotations `<index>-*`, then what es-index-setup's installer put beside them: the index
 * template `ctr-stream-<index>`, the component templates it composes and the attribute-keywords ingest pipeline it
 * may name, in that order (each is refused while the one before it uses it). Missing ones are ignored.
 * `connection` is an es-index-setup connection (`createHttpConnection`: Elasticsearch and OpenSearch alike), for
 * which a 404 is an answer and any other error status throws.
 */
export async function removeIndex(connection, index) {
  const name = encodeURIComponent(index);
  // The names first, then a DELETE of exactly those: a wildcard DELETE is refused where
  // action.destructive_requires_name is true (Elasticsearch 8+'s default; the local node turns it off).
  const target = `/${name},${name}-*/_settings?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=open,closed`;
  const { statusCode, body } = await connection.request('GET', target);
  if (statusCode !== 200) throw new Error(`GET ${target} answered ${statusCode}: ${JSON.stringify(body)}`);
  const indices = Object.keys(body ?? {});
  if (indices.length > 0)
    await connection.request(
      'DELETE',
      `/${indices.map(encodeURIComponent).join(',')}?ignore_unavailable=true`,
    );
  const { indexTemplate, componentTemplates } = buildIndexTemplate({ index });
  await connection.request('DELETE', `/_index_template/${encodeURIComponent(indexTemplate.name)}`);
  // One by one: OpenSearch reads `a,b` as one name.
  for (const component of componentTemplates)
    await connection.request('DELETE', `/_component_template/${encodeURIComponent(component.name)}`);
  await connection.request(
    'DELETE',
    `/_ingest/pipeline/${encodeURIComponent(attributeKeywordsPipelineId(index))}`,
  );
}
