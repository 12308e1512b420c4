namespace Nehr.Core.Data;

/// <summary>Settings of section "Nehr:Data" in appsettings.json.</summary>
public sealed class NehrDataOptions
{
    public const string Section = "Nehr:Data";

    /// <summary>"Sqlite" (embedded, the default) or "PostgreSql" (several portal instances on one database).</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Load the demo world into an empty database at start-up.</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Synthetic patients to add beyond the demo world (large datasets on demand).</summary>
    public int ExtraSyntheticPatients { get; set; }

    /// <summary>Clinical entries per extra synthetic patient.</summary>
    public int EntriesPerSyntheticPatient { get; set; } = 10;

    /// <summary>
    /// SQLite: write transactions of this process wait their turn in a queue (the default). Without it a writer that
    /// finds the database locked is put to sleep by the driver and retries, so under concurrent writes some wait far
    /// longer than the transactions ahead of them take. Off only to measure the difference (the national benchmark).
    /// </summary>
    public bool QueueSqliteWriters { get; set; } = true;

    /// <summary>SQLite: the background checkpointer copies the write-ahead log (the default; see WalCheckpointer). Off only to measure.</summary>
    public bool CheckpointWal { get; set; } = true;

    /// <summary>
    /// The audit events of record reads are committed in groups (<see cref="Audit.AuditAppender"/>, the default): one
    /// transaction and one flush to disk for all the reads waiting at that moment. Off, each read's event commits in a
    /// write transaction of its own (with the database's writer lock: SQLite's writer queue, PostgreSQL's advisory
    /// lock). Off only to measure the difference (the national benchmark).
    /// </summary>
    public bool GroupCommitReads { get; set; } = true;

    /// <summary>
    /// How many hash chains the audit trail has (1 to 64; 1, the default). A transaction appends to any chain no other
    /// transaction holds, so with several, appenders (several portal instances on one PostgreSQL) do not wait for each
    /// other; the signed checkpoints cover every chain's head. Raising it adds chains at the next start; lowering it
    /// removes none (a chain once started is verified for ever), so the trail keeps appending to all it has.
    /// </summary>
    public int AuditChains { get; set; } = 1;

    public const int MaxAuditChains = 64;
}
