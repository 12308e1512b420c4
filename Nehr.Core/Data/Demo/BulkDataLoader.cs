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

namespace Nehr.Core.Data.Demo;

/// <summary>How long each part of a bulk load took.</summary>
public sealed record BulkLoadReport(
    int Patients, long Entries, long AuditEvents, TimeSpan PatientsTime, TimeSpan EntriesTime, TimeSpan AuditTime, TimeSpan IndexTime)
{
    public TimeSpan Total => PatientsTime + EntriesTime + AuditTime + IndexTime;
}

/// <summary>
/// Loads a national-scale dataset into SQLite fast: the demo generator's patients (each registered with one provider)
/// and entries, staff for every onboarded provider, and record reads in the audit trail, properly chained. Rows go
/// in through prepared statements in large transactions, with the secondary indexes of the big tables dropped first
/// and built once at the end (sorting once is far cheaper than keeping the B-trees in order row by row). Columns and
/// value conversions come from the EF model, so the rows are exactly what the portal writes. For benchmarks and
/// load tests; not part of the portal.
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
        if (!db.Database.IsSqlite())
        {
            throw new NotSupportedException("The bulk loader writes SQLite directly.");
        }

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
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        Execute(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;");
        var indexes = DropIndexes(connection);
        try
        {
            var firstIndex = await db.Patients.CountAsync(cancellationToken);
            var firstId = (await db.Patients.MaxAsync(p => (int?)p.Id, cancellationToken) ?? 0) + 1;

            var clock1 = Stopwatch.StartNew();
            var dates = LoadPatients(connection, patients, firstIndex, firstId, providers, today, now);
            var patientsTime = clock1.Elapsed;
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{patients:N0} patients and their registrations in {patientsTime.TotalSeconds:0.0} s"));

            clock1.Restart();
            var entries = LoadEntries(connection, patients, entriesPerPatient, firstIndex, firstId, dates, providers, now);
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

            Execute(connection, "PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE);");
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

    private DateOnly[] LoadPatients(SqliteConnection connection, int patients, int firstIndex, int firstId, List<int> providers, DateOnly today, DateTime now)
    {
        var dates = new DateOnly[patients];
        using var patientRows = new RowWriter(connection, db.Model.FindEntityType(typeof(Records.Patient))!, includeKey: true);
        using var registrationRows = new RowWriter(connection, db.Model.FindEntityType(typeof(CareRegistration))!, includeKey: false);
        InBatches(connection, patients, n =>
        {
            var i = (int)n;
            var patient = _generator.CreatePatient(firstIndex + i, today);
            dates[i] = patient.DateOfBirth;
            patientRows.Insert(patient, ("Id", firstId + i));
            var registration = new CareRegistration(firstId + i, providers[i % providers.Count], DemoDataSeeder.SeederId, now.AddDays(-(i % 700)));
            registrationRows.Insert(registration);
        });
        return dates;
    }

    private long LoadEntries(
        SqliteConnection connection, int patients, int perPatient, int firstIndex, int firstId, DateOnly[] dates, List<int> providers, DateTime now)
    {
        var sources = providers.Select(p => new DemoEntrySource(p, null)).ToList();
        var writers = new Dictionary<Type, RowWriter>();
        try
        {
            InBatches(connection, patients, n =>
            {
                var i = (int)n;
                foreach (var entry in _generator.CreateEntries(firstId + i, firstIndex + i, dates[i], sources, perPatient, now))
                {
                    if (!writers.TryGetValue(entry.GetType(), out var writer))
                    {
                        writer = new RowWriter(connection, db.Model.FindEntityType(entry.GetType())!, includeKey: false);
                        writers[entry.GetType()] = writer;
                    }

                    writer.Insert(entry);
                }
            }, rowsPerItem: Math.Max(1, perPatient));
            return (long)patients * perPatient;
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                writer.Dispose();
            }
        }
    }

    /// <summary>Record reads by the providers' staff of their own registered patients, over two years, chained to the head.</summary>
    private async Task LoadAuditAsync(
        SqliteConnection connection, long count, int patients, int firstId, List<int> providers, DateTime now, CancellationToken cancellationToken)
    {
        if (count == 0 || patients == 0)
        {
            return;
        }

        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        var sequence = head.LastSequence;
        var previous = head.LastHash;
        var start = now.AddYears(-2);
        var step = (now - start).Ticks / count;
        var random = new Random(_generator.Seed);
        using var rows = new RowWriter(connection, db.Model.FindEntityType(typeof(AuditEvent))!, includeKey: true);
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
            var hash = AuditHasher.Hash(e, sequence, previous);
            e.Chain(sequence, previous, hash);
            previous = hash;
            rows.Insert(e);
        });

        // The head jumps over the whole load at once (the portal's appends advance it one by one).
        var last = sequence;
        var lastHash = previous;
        await db.AuditChainHeads.Where(h => h.Id == AuditChainHead.SingletonId)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.LastSequence, last).SetProperty(h => h.LastHash, lastHash), cancellationToken);
        db.ChangeTracker.Clear();
    }

    private static void InBatches(SqliteConnection connection, long items, Action<long> insert, int rowsPerItem = 1)
    {
        var perTransaction = Math.Max(1, RowsPerTransaction / rowsPerItem);
        for (long start = 0; start < items; start += perTransaction)
        {
            // Plain BEGIN/COMMIT: the prepared commands then need no transaction object of the driver.
            Execute(connection, "BEGIN");
            var end = Math.Min(items, start + perTransaction);
            for (var i = start; i < end; i++)
            {
                insert(i);
            }

            Execute(connection, "COMMIT");
        }
    }

    /// <summary>Drops the secondary indexes of the big tables and returns the statements that build them again.</summary>
    private static List<string> DropIndexes(SqliteConnection connection)
    {
        var indexes = new List<(string Name, string Sql)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ($a, $b, $c)";
            command.Parameters.AddWithValue("$a", BigTables[0]);
            command.Parameters.AddWithValue("$b", BigTables[1]);
            command.Parameters.AddWithValue("$c", BigTables[2]);
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

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A prepared INSERT of one entity type, with the columns and value conversions of the EF model.</summary>
    private sealed class RowWriter : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly (string Column, SqliteParameter Parameter, Func<object, object?> Value)[] _columns;

        public RowWriter(SqliteConnection connection, IEntityType type, bool includeKey)
        {
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            var discriminator = type.FindDiscriminatorProperty();
            var columns = new List<(string, SqliteParameter, Func<object, object?>)>();
            _command = connection.CreateCommand();
            foreach (var property in type.GetProperties())
            {
                if (property.IsPrimaryKey() && !includeKey)
                {
                    continue;
                }

                var converter = property.GetTypeMapping().Converter;
                Func<object, object?> read;
                if (property == discriminator)
                {
                    var value = type.GetDiscriminatorValue();
                    var stored = value is null || converter is null ? value : converter.ConvertToProvider(value);
                    read = _ => stored;
                }
                else if (property.IsShadowProperty())
                {
                    continue;
                }
                else
                {
                    var getter = property.GetGetter();
                    read = entity => getter.GetClrValueUsingContainingEntity(entity) is { } v ? converter is null ? v : converter.ConvertToProvider(v) : null;
                }

                var parameter = _command.CreateParameter();
                parameter.ParameterName = "$p" + columns.Count.ToString(CultureInfo.InvariantCulture);
                _command.Parameters.Add(parameter);
                columns.Add((property.GetColumnName(table)!, parameter, read));
            }

            _columns = [.. columns];
            _command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO \"{table.Name}\" ({string.Join(", ", _columns.Select(c => $"\"{c.Column}\""))}) VALUES ({string.Join(", ", _columns.Select(c => c.Parameter.ParameterName))})");
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

        public void Dispose() => _command.Dispose();
    }
}
