//! The plan codecs every process of a cluster uses (the client, the scheduler, the
//! executors): Ballista's, plus the two things an mfaproof session holds that Ballista
//! cannot send — the UDFs built from the lake (sent as the rows they were built from,
//! `evidence::portable`) and in-memory tables (the vocabularies, the parsed audit changes,
//! the conditional-access findings, the empty table of a lake without files of a table).
//!
//! A plan is sent once per query to the scheduler and once per stage to each executor,
//! and each decodes it again: a UDF decoded from the same bytes is reused, not rebuilt.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result, TableReference};
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan, ScalarUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};

use crate::evidence::portable::{self, Rows};

/// How many decoded UDFs a process keeps for reuse (a session has five that carry rows).
const KEPT: usize = 20;

fn failed(e: crate::evidence::Error) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// A decoded UDF: its name, the bytes it came from, the UDF.
type Decoded = (String, Vec<u8>, Arc<ScalarUDF>);

/// mfaproof's UDFs, to bytes and back, with the recently decoded ones kept.
#[derive(Debug, Default)]
struct Udfs {
    recent: Mutex<VecDeque<Decoded>>,
}

impl Udfs {
    /// Appends the bytes of `udf` to `buf`; false when it is not one that carries rows.
    fn encode(udf: &ScalarUDF, buf: &mut Vec<u8>) -> Result<bool> {
        match portable::encode(udf).map_err(failed)? {
            Some(bytes) => {
                buf.extend_from_slice(bytes);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Appends the bytes of `udf` to `buf`, else lets `other` (Ballista's codec) do it.
    fn encode_or(
        udf: &ScalarUDF,
        buf: &mut Vec<u8>,
        other: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        if Udfs::encode(udf, buf)? {
            return Ok(());
        }
        other(buf)
    }

    /// The UDF `name` of `bytes`, else what `other` (Ballista's codec) decodes.
    fn decode_or(
        &self,
        name: &str,
        bytes: &[u8],
        other: impl FnOnce() -> Result<Arc<ScalarUDF>>,
    ) -> Result<Arc<ScalarUDF>> {
        match self.decode(name, bytes)? {
            Some(udf) => Ok(udf),
            None => other(),
        }
    }

    /// The UDF `name` of `bytes`; `None` when it is not mfaproof's.
    fn decode(&self, name: &str, bytes: &[u8]) -> Result<Option<Arc<ScalarUDF>>> {
        let same = |(n, b, _): &&Decoded| n == name && b == bytes;
        if let Ok(recent) = self.recent.lock()
            && let Some((_, _, udf)) = recent.iter().find(same)
        {
            return Ok(Some(udf.clone()));
        }
        let Some(udf) = portable::decode(name, bytes).map_err(failed)? else {
            return Ok(None);
        };
        let udf = Arc::new(udf);
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() == KEPT {
                recent.pop_front();
            }
            recent.push_back((name.to_owned(), bytes.to_vec(), udf.clone()));
        }
        Ok(Some(udf))
    }
}

/// Appends the partitions of an in-memory table to `buf`; false for another table.
fn encode_memory_table(node: &Arc<dyn TableProvider>, buf: &mut Vec<u8>) -> Result<bool> {
    let Some(mem) = node.downcast_ref::<MemTable>() else {
        return Ok(false);
    };
    let mut partitions = Vec::with_capacity(mem.batches.len());
    for partition in &mem.batches {
        // Nothing writes to these tables once a session is open; a lock held means a
        // write under way, which a plan must not send half of.
        let batches = partition.try_read().map_err(|_| {
            DataFusionError::Execution("an in-memory table is being written".into())
        })?;
        partitions.push(batches.clone());
    }
    let rows = Rows::new(partitions);
    buf.extend_from_slice(rows.bytes().map_err(failed)?);
    Ok(true)
}

fn decode_memory_table(bytes: &[u8], schema: SchemaRef) -> Result<Arc<dyn TableProvider>> {
    let partitions = Rows::from_bytes(bytes).map_err(failed)?.into_tables();
    Ok(Arc::new(MemTable::try_new(schema, partitions)?))
}

/// Ballista's logical codec with mfaproof's UDFs and in-memory tables (client → scheduler).
#[derive(Debug, Default)]
pub struct LogicalCodec {
    ballista: BallistaLogicalExtensionCodec,
    udfs: Udfs,
}

impl LogicalExtensionCodec for LogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        if Rows::are_rows(buf) {
            return decode_memory_table(buf, schema);
        }
        self.ballista
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        if encode_memory_table(&node, buf)? {
            return Ok(());
        }
        self.ballista
            .try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.udfs
            .decode_or(name, buf, || self.ballista.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        Udfs::encode_or(node, buf, |buf| self.ballista.try_encode_udf(node, buf))
    }
}

/// Ballista's physical codec with mfaproof's UDFs (scheduler → executors; in-memory
/// tables are plain DataFusion scans by then).
#[derive(Debug, Default)]
pub struct PhysicalCodec {
    ballista: BallistaPhysicalExtensionCodec,
    udfs: Udfs,
}

impl PhysicalExtensionCodec for PhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.ballista.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        self.ballista.try_encode(node, buf, proto_converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.udfs
            .decode_or(name, buf, || self.ballista.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        Udfs::encode_or(node, buf, |buf| self.ballista.try_encode_udf(node, buf))
    }
}
