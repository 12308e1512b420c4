using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Identity;
using Npgsql;

using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.BulkData;

/// <summary>How long each part of a bulk load took.</summary>
public sealed record BulkLoadReport(
    int Patients, long Entries, long AuditEvents, TimeSpan PatientsTime, TimeSpan EntriesTime, TimeSpan AuditTime, TimeSpan IndexTime)
{
    public TimeSpan Total => PatientsTime + EntriesTime + AuditTime + IndexTime;
}

/// <summary>
/// Loads a national-scale dataset fast: the demo generator's patients (each registered with one provider) and
/// entries, staff for every onboarded provider, and record reads in the audit trail, properly chained. On SQLite rows
/// go in through prepared statements in large transactions; on PostgreSQL through binary COPY, one per table, with
/// foreign-key checks off for the session. Either way the secondary indexes of the big tables are dropped first and
/// built once at the end (sorting once is far cheaper than keeping the B-trees in order row by row). Columns and value
/// conversions come from the EF model, so the rows are exactly what the portal writes. For benchmarks and load tests;
/// not part of the portal.
/// </summary>
public sealed class BulkDataLoader(NehrDbContext db, TimeProvider clock)
{
    public const int StaffPerProvider = 40;

    private const int RowsPerTransaction = 50_000;

    private static readonly string[] BigTables = ["ClinicalEntries", "CareRegistrations", "AuditEvents"];

    private readonly DemoDataGenerator _generator = new();

    /// <summary>The staff (personnel and account ids) added for each provider, for driving reads in a benchmark.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> Staff { get; private set; } =
        new Dictionary<int, IReadOnlyList<(int, string)>>();

    public async Task<BulkLoadReport> LoadAsync(
        int patients, int entriesPerPatient, long auditEvents, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var providers = await db.Providers.AsNoTracking().Where(p => p.OnboardingState == OnboardingState.Onboarded)
            .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync(cancellationToken);
        if (providers.Count == 0)
        {
            throw new InvalidOperationException("Seed the provider register (the demo data) before a bulk load.");
        }

        Staff = await AddStaffAsync(providers, cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        Execute(connection, IsPostgreSql
            ? "SET session_replication_role = replica" // no foreign-key triggers while loading rows that are consistent by construction
            : "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;");
        var indexes = DropIndexes(connection);
        try
        {
            var firstIndex = await db.Patients.CountAsync(cancellationToken);
            var firstId = (await db.Patients.MaxAsync(p => (int?)p.Id, cancellationToken) ?? 0) + 1;

            var clock1 = Stopwatch.StartNew();
            var people = LoadPatients(connection, patients, firstIndex, firstId, providers, today, now);
            var patientsTime = clock1.Elapsed;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{patients:N0} patients and their registrations in {patientsTime.TotalSeconds:0.0} s"));

            clock1.Restart();
            var entries = LoadEntries(connection, patients, entriesPerPatient, firstIndex, firstId, people, providers, now);
            var entriesTime = clock1.Elapsed;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{entries:N0} clinical entries in {entriesTime.TotalSeconds:0.0} s"));

            clock1.Restart();
            await LoadAuditAsync(connection, auditEvents, patients, firstId, providers, now, cancellationToken);
            var auditTime = clock1.Elapsed;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{auditEvents:N0} chained audit events in {auditTime.TotalSeconds:0.0} s"));

            clock1.Restart();
            foreach (var sql in indexes)
            {
                Execute(connection, sql);
            }

            if (IsPostgreSql)
            {
                Execute(connection, """SET session_replication_role = DEFAULT; SELECT setval(pg_get_serial_sequence('"Patients"', 'Id'), (SELECT max("Id") FROM "Patients"))""");

                // Statistics for the planner and the visibility map for index-only scans, now: otherwise autovacuum
                // does it later, for minutes, under the load.
                foreach (var table in BigTables.Append("Patients"))
                {
                    Execute(connection, $"VACUUM (ANALYZE) \"{table}\"");
                }
            }
            else
            {
                Execute(connection, "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE);");
            }

            var indexTime = clock1.Elapsed;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{indexes.Count} indexes built in {indexTime.TotalSeconds:0.0} s"));
            indexes.Clear();
            return new BulkLoadReport(patients, entries, auditEvents, patientsTime, entriesTime, auditTime, indexTime);
        }
        finally
        {
            // On failure too: a database without its indexes would pass for a working one and be slow.
            foreach (var sql in indexes)
            {
                Execute(connection, sql);
            }

            if (IsPostgreSql)
            {
                Execute(connection, "SET session_replication_role = DEFAULT");
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<Dictionary<int, IReadOnlyList<(int, string)>>> AddStaffAsync(List<int> providers, CancellationToken cancellationToken)
    {
        var roleId = await db.Roles.Where(r => r.Name == Roles.Clinician).Select(r => r.Id).SingleAsync(cancellationToken);
        var staff = new Dictionary<int, IReadOnlyList<(int, string)>>();
        var stamp = Guid.NewGuid().ToString("N");
        foreach (var provider in providers)
        {
            var people = Enumerable.Range(0, StaffPerProvider)
                .Select(i => new Personnel(provider, string.Create(CultureInfo.InvariantCulture, $"Bulk Clinician {provider}-{i}"),
                    i % 3 == 0 ? ProfessionalRole.Nurse : ProfessionalRole.Doctor, involvedInCare: true))
                .ToList();
            db.Personnel.AddRange(people);
            await db.SaveChangesAsync(cancellationToken);
            var accounts = new List<(int, string)>();
            foreach (var person in people)
            {
                var email = string.Create(CultureInfo.InvariantCulture, $"bulk.{person.Id}@nehr.bench");
                var user = new ApplicationUser
                {
                    Id = Guid.NewGuid().ToString(), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email,
                    NormalizedEmail = email.ToUpperInvariant(), DisplayName = person.Name, PersonnelId = person.Id,
                    SecurityStamp = stamp, ConcurrencyStamp = stamp,
                };
                db.Users.Add(user);
                db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
                accounts.Add((person.Id, user.Id));
            }

            await db.SaveChangesAsync(cancellationToken);
            staff[provider] = accounts;
        }

        db.ChangeTracker.Clear();
        return staff;
    }

    private bool IsPostgreSql => db.Database.IsNpgsql();

    private (DateOnly DateOfBirth, Nehr.Core.Records.Sex Sex)[] LoadPatients(DbConnection connection, int patients, int firstIndex, int firstId, List<int> providers, DateOnly today, DateTime now)
    {
        // Patients, then their registrations: one table at a time (PostgreSQL copies one table at a time per connection).
        var people = new (DateOnly DateOfBirth, Nehr.Core.Records.Sex Sex)[patients];
        using (var patientRows = Writer(connection, typeof(Nehr.Core.Records.Patient), includeKey: true))
        {
            InBatches(connection, patients, n =>
            {
                var i = (int)n;
                var patient = _generator.CreatePatient(firstIndex + i, today);
                people[i] = (patient.DateOfBirth, patient.Sex);
                patientRows.Insert(patient, ("Id", firstId + i));
            });
            patientRows.Complete();
        }

        using var registrationRows = Writer(connection, typeof(CareRegistration), includeKey: false);
        InBatches(connection, patients, n =>
        {
            var i = (int)n;
            registrationRows.Insert(new CareRegistration(firstId + i, providers[i % providers.Count], DemoDataSeeder.SeederId, now.AddDays(-(i % 700))));
        });
        registrationRows.Complete();
        return people;
    }

    private long LoadEntries(
        DbConnection connection, int patients, int perPatient, int firstIndex, int firstId, (DateOnly DateOfBirth, Nehr.Core.Records.Sex Sex)[] people, List<int> providers, DateTime now)
    {
        var types = db.Providers.AsNoTracking().Where(p => providers.Contains(p.Id)).ToDictionary(p => p.Id, p => p.Type);
        var sources = providers.Select(p => new DemoEntrySource(p, null, types[p])).ToList();
        var writers = new Dictionary<Type, ITableWriter>();
        try
        {
            InBatches(connection, patients, n =>
            {
                var i = (int)n;
                foreach (var entry in _generator.CreateEntries(firstId + i, firstIndex + i, people[i].DateOfBirth, people[i].Sex, sources, perPatient, now))
                {
                    if (!writers.TryGetValue(entry.GetType(), out var writer))
                    {
                        // On PostgreSQL every kind of entry goes through the one copy of their shared table.
                        writer = IsPostgreSql && writers.Count > 0 ? writers.Values.First() : Writer(connection, entry.GetType(), includeKey: false);
                        writers[entry.GetType()] = writer;
                    }

                    writer.Insert(entry);
                }
            }, rowsPerItem: Math.Max(1, perPatient));
            foreach (var writer in writers.Values.Distinct())
            {
                writer.Complete();
            }

            return (long)patients * perPatient;
        }
        finally
        {
            foreach (var writer in writers.Values.Distinct())
            {
                writer.Dispose();
            }
        }
    }

    /// <summary>Record reads by the providers' staff of their own registered patients, over two years, chained to the head.</summary>
    private async Task LoadAuditAsync(
        DbConnection connection, long count, int patients, int firstId, List<int> providers, DateTime now, CancellationToken cancellationToken)
    {
        if (count == 0 || patients == 0)
        {
            return;
        }

        // On the first chain, after its head; numbered after the highest number of the trail.
        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.FirstChain, cancellationToken);
        var position = head.LastPosition;
        var sequence = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var previous = head.LastHash;
        var start = now.AddYears(-2);
        var step = (now - start).Ticks / count;
        var random = new Random(_generator.Seed);
        using var rows = Writer(connection, typeof(AuditEvent), includeKey: true);
        InBatches(connection, count, i =>
        {
            var index = random.Next(patients);
            var provider = providers[index % providers.Count];
            var (personnelId, userId) = Staff[provider][random.Next(StaffPerProvider)];
            var roll = random.Next(100);
            var (level, reason, outcome) = roll switch
            {
                < 85 => (AccessLevel.Full, DecisionReason.NoRestriction, AuditOutcome.Success),
                < 97 => (AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted, AuditOutcome.Success),
                _ => (AccessLevel.Denied, DecisionReason.PatientNotRegistered, AuditOutcome.Denied),
            };
            var e = new AuditEvent(new AuditEntry
            {
                EventType = AuditEventTypes.RecordRead,
                CorrelationId = string.Create(CultureInfo.InvariantCulture, $"bulk-{sequence + 1:x}"),
                ActorUserId = userId,
                ActorPersonnelId = personnelId,
                ActorProviderId = provider,
                ActorRole = personnelId % 3 == 0 ? nameof(ProfessionalRole.Nurse) : nameof(ProfessionalRole.Doctor),
                PatientId = firstId + index,
                Level = level,
                Reason = reason.ToString(),
                Outcome = outcome,
                ClientAddress = string.Create(CultureInfo.InvariantCulture, $"10.{provider % 256}.{index % 256}.{i % 250 + 1}"),
                Details = "purpose=TREAT; view=open",
            }, new DateTime(start.Ticks + step * i, DateTimeKind.Utc));
            sequence++;
            position++;
            var hash = AuditHasher.Hash(e, sequence, AuditChainHead.FirstChain, position, previous);
            e.Link(sequence, AuditChainHead.FirstChain, position, previous, hash);
            previous = hash;
            rows.Insert(e);
        });
        rows.Complete();

        // The head jumps over the whole load at once (the portal's appends advance it one by one), and on PostgreSQL
        // the numbers go on after the load's.
        var last = position;
        var lastHash = previous;
        await db.AuditChainHeads.Where(h => h.Id == AuditChainHead.FirstChain)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.LastPosition, last).SetProperty(h => h.LastHash, lastHash), cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"""SELECT setval('"AuditEventNumbers"', {sequence})""", cancellationToken);
        }

        db.ChangeTracker.Clear();
    }

    private void InBatches(DbConnection connection, long items, Action<long> insert, int rowsPerItem = 1)
    {
        // A PostgreSQL copy is one statement, all or nothing; SQLite commits every RowsPerTransaction rows, with plain
        // BEGIN/COMMIT so that the prepared commands need no transaction object of the driver.
        var perTransaction = IsPostgreSql ? items : Math.Max(1, RowsPerTransaction / rowsPerItem);
        for (long start = 0; start < items; start += perTransaction)
        {
            var end = Math.Min(items, start + perTransaction);
            InTransaction(connection, () =>
            {
                for (var i = start; i < end; i++)
                {
                    insert(i);
                }
            });
        }
    }

    private void InTransaction(DbConnection connection, Action rows)
    {
        if (IsPostgreSql)
        {
            rows();
            return;
        }

        Execute(connection, "BEGIN");
        rows();
        Execute(connection, "COMMIT");
    }

    /// <summary>Drops the secondary indexes of the big tables and returns the statements that build them again.</summary>
    private List<string> DropIndexes(DbConnection connection)
    {
        var indexes = new List<(string Name, string Sql)>();
        using (var command = connection.CreateCommand())
        {
            // Primary keys stay (PostgreSQL's are constraints, and the loader relies on them being there).
            command.CommandText = IsPostgreSql
                ? $"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE 'PK\\_%' AND tablename IN ({string.Join(", ", BigTables.Select(t => $"'{t}'"))})"
                : $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({string.Join(", ", BigTables.Select(t => $"'{t}'"))})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, _) in indexes)
        {
            Execute(connection, $"DROP INDEX \"{name}\"");
        }

        return indexes.Select(i => i.Sql).ToList();
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private ITableWriter Writer(DbConnection connection, Type entity, bool includeKey)
    {
        var type = db.Model.FindEntityType(entity)!;
        return connection is NpgsqlConnection postgres
            ? new CopyWriter(postgres, db.Model.GetEntityTypes().Where(t => t.GetTableName() == type.GetTableName() && !t.IsAbstract()).ToList(), includeKey)
            : new RowWriter((SqliteConnection)connection, type, includeKey);
    }

    private static List<(IProperty Property, string Column, Func<object, object?> Value)> Columns(IEntityType type, bool includeKey) =>
        EntityColumns.Of(type, includeKey);

    private interface ITableWriter : IDisposable
    {
        void Insert(object entity, params (string Column, object Value)[] overrides);

        /// <summary>Ends the rows (a copy is kept only when completed).</summary>
        void Complete();
    }

    /// <summary>A PostgreSQL binary COPY into one table, for every entity type stored in it.</summary>
    private sealed class CopyWriter : ITableWriter
    {
        private readonly NpgsqlBinaryImporter _importer;
        private readonly string[] _columns;
        private readonly string[] _storeTypes;
        private readonly Dictionary<Type, Func<object, object?>?[]> _readers = [];

        public CopyWriter(NpgsqlConnection connection, IReadOnlyList<IEntityType> types, bool includeKey)
        {
            var all = types.SelectMany(t => Columns(t, includeKey)).DistinctBy(c => c.Column).ToList();
            _columns = all.Select(c => c.Column).ToArray();
            // The column's own type, without its length or precision ("character varying(64)" is written as "character varying").
            _storeTypes = all.Select(c => c.Property.GetColumnType() is var t && t.IndexOf('(', StringComparison.Ordinal) is var at and >= 0 ? t[..at] : c.Property.GetColumnType()).ToArray();
            foreach (var type in types)
            {
                var own = Columns(type, includeKey).ToDictionary(c => c.Column, c => c.Value);
                _readers[type.ClrType] = _columns.Select(c => own.GetValueOrDefault(c)).ToArray();
            }

            var table = types[0].GetTableName();
            _importer = connection.BeginBinaryImport($"COPY \"{table}\" ({string.Join(", ", _columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
        }

        public void Insert(object entity, params (string Column, object Value)[] overrides)
        {
            var readers = _readers[entity.GetType()];
            _importer.StartRow();
            for (var i = 0; i < _columns.Length; i++)
            {
                var value = readers[i]?.Invoke(entity);
                foreach (var (name, replacement) in overrides)
                {
                    if (name == _columns[i])
                    {
                        value = replacement;
                    }
                }

                if (value is null)
                {
                    _importer.WriteNull();
                }
                else
                {
                    _importer.Write(value, _storeTypes[i]);
                }
            }
        }

        /// <summary>Commits the copy and hands the connection back (Npgsql frees it only on dispose).</summary>
        public void Complete()
        {
            _importer.Complete();
            _importer.Dispose();
        }

        public void Dispose() => _importer.Dispose();
    }

    /// <summary>A prepared SQLite INSERT of one entity type.</summary>
    private sealed class RowWriter : ITableWriter
    {
        private readonly SqliteCommand _command;
        private readonly (string Column, SqliteParameter Parameter, Func<object, object?> Value)[] _columns;

        public RowWriter(SqliteConnection connection, IEntityType type, bool includeKey)
        {
            _command = connection.CreateCommand();
            _columns = Columns(type, includeKey).Select((c, i) =>
            {
                var parameter = _command.CreateParameter();
                parameter.ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture);
                _command.Parameters.Add(parameter);
                return (c.Column, parameter, c.Value);
            }).ToArray();
            _command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO \"{type.GetTableName()}\" ({string.Join(", ", _columns.Select(c => $"\"{c.Column}\""))}) VALUES ({string.Join(", ", _columns.Select(c => c.Parameter.ParameterName))})");
        }

        public void Insert(object entity, params (string Column, object Value)[] overrides)
        {
            foreach (var (column, parameter, value) in _columns)
            {
                parameter.Value = value(entity) ?? DBNull.Value;
                foreach (var (name, replacement) in overrides)
                {
                    if (name == column)
                    {
                        parameter.Value = replacement;
                    }
                }
            }

            _command.ExecuteNonQuery();
        }

        public void Complete()
        {
        }

        public void Dispose() => _command.Dispose();
    }
}
