using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>What one verification checked: the events from one sequence to another, the signed checkpoints, and the finding.</summary>
public sealed record IntegrityReport(
    AuditVerification Chain, bool Full, long FromSequence, long VerifiedThroughSequence, string VerifiedThroughHash,
    int SignedCheckpoints, string? CheckpointFile, CheckpointLogPosition? Log)
{
    public bool Intact => Chain.Intact;

    /// <summary>One line for an operator: what was checked, and the break if there is one.</summary>
    public string Describe()
    {
        var what = Full ? "whole trail" : "events since the last verification";
        var checkpoints = CheckpointFile is null
            ? "no checkpoint log configured (Nehr:Integrity:CheckpointFile)"
            : $"{SignedCheckpoints:N0} signed checkpoints in {CheckpointFile}";
        return Intact
            ? string.Create(CultureInfo.InvariantCulture, $"intact: {what}, {Chain.EventsChecked:N0} events verified (sequence {FromSequence:N0} to {VerifiedThroughSequence:N0}), {checkpoints}.")
            : string.Create(CultureInfo.InvariantCulture, $"BROKEN at event {Chain.FirstBrokenSequence}: {Chain.Problem} ({what}, {Chain.EventsChecked:N0} events checked from sequence {FromSequence:N0}; {checkpoints}).");
    }
}

/// <summary>
/// The audit trail's integrity beyond its own hash chain. The chain proves that no event was changed, removed or
/// inserted, unless whoever changed one recomputed every hash after it (anyone who can write the database can). So the
/// verified head is signed, at an interval, into a log kept outside the database (<see cref="CheckpointLog"/>,
/// <see cref="AuditIntegrityOptions.CheckpointFile"/>) with a key that is not in the database either; every
/// verification checks the chain against those checkpoints: a rewritten chain no longer has the signed hashes. The
/// database keeps a copy of each checkpoint (<see cref="AuditCheckpoint"/>), so a log cut short or removed is noticed.
/// A break is a critical alarm: logged at Critical and appended to the trail as <see cref="AuditEventTypes.ChainBreakDetected"/>.
/// </summary>
/// <remarks>
/// Verifications are incremental: from the last point verified (its sequence and hash; after a restart, the last signed
/// checkpoint) to the head, and the log's new lines only. A full one (every event, every signature) runs every
/// <see cref="AuditIntegrityOptions.FullVerifyEvery"/>, and from the command line.
/// </remarks>
public sealed class AuditIntegrity(
    IDbContextFactory<NehrDbContext> contexts, AuditTrail trail, IOptions<AuditIntegrityOptions> options, IHostEnvironment environment,
    TimeProvider clock, ILogger<AuditIntegrity> logger) : IDisposable
{
    /// <summary>What writing a checkpoint or an alarm claims (<see cref="DataClaim"/>): one instance at a time.</summary>
    internal static readonly DataClaim CheckpointClaim = DataClaim.Named("audit-checkpoint");

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _signerLock = new();
    private CheckpointSigner? _signer;
    private (long Sequence, string Hash, CheckpointLogPosition? Log)? _verified;

    /// <summary>The last verification's report (null before the first).</summary>
    public IntegrityReport? Last { get; private set; }

    /// <summary>The checkpoint log's full path, or null when none is configured.</summary>
    public string? CheckpointFile => options.Value.WritesCheckpoints ? Path.Combine(environment.ContentRootPath, options.Value.CheckpointFile) : null;

    /// <summary>The key that signs and verifies the checkpoints, loaded (or, outside Production, generated) on first use.</summary>
    public CheckpointSigner Signer
    {
        get
        {
            lock (_signerLock)
            {
                return _signer ??= LoadSigner();
            }
        }
    }

    /// <summary>
    /// Verifies the trail (incrementally from the last verified point, or <paramref name="full"/>y) against its head and
    /// the signed checkpoints; a break raises the alarm. The first incremental verification of a portal starts at the
    /// last signed checkpoint, or is full when there is none.
    /// </summary>
    public async Task<IntegrityReport> VerifyAsync(bool full, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await VerifyLockedAsync(full, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Verifies the whole of a given database against the checkpoint log, and only reports (the command line, a backup's copy).</summary>
    public Task<IntegrityReport> VerifyOnlyAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return VerifyAsync(db, null, cancellationToken);
    }

    /// <summary>
    /// Verifies the events appended since the last verification and, when intact, signs the verified head into the
    /// checkpoint log and records it in the database. Null when there is no log, nothing new, or the trail is broken.
    /// </summary>
    public async Task<SignedCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (CheckpointFile is not { } file)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var report = await VerifyLockedAsync(full: false, cancellationToken);
            if (!report.Intact || report.VerifiedThroughSequence == 0)
            {
                return null;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);

            // The checkpoint's claim orders the checkpoints of several portal instances sharing one log: the log is
            // read, appended to and its copy committed by one instance at a time.
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            await db.ClaimAsync(CheckpointClaim, cancellationToken);
            var sequence = report.VerifiedThroughSequence;
            if (await db.AuditCheckpoints.AnyAsync(c => c.Sequence >= sequence, cancellationToken))
            {
                return null;
            }

            var lines = await ReadLinesAsync(file, cancellationToken);
            var last = lines.Count == 0 ? null : lines[^1];
            if (last is not null && CheckpointLog.TryParse(last, out var lastCheckpoint) && lastCheckpoint.Sequence >= sequence)
            {
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var line = CheckpointLog.Line(last, lines.Count + 1, sequence, report.VerifiedThroughHash, now, Signer);
            await AppendLineAsync(file, line, cancellationToken);
            db.AuditCheckpoints.Add(new AuditCheckpoint(sequence, report.VerifiedThroughHash, now));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            // The line just signed is verified: the next incremental walk of the log starts after it.
            if (_verified is { } verified && verified.Log is { } position && position.Lines == lines.Count
                && string.Equals(position.LastLineHash, last is null ? string.Empty : CheckpointLog.LineHash(last), StringComparison.Ordinal))
            {
                _verified = (verified.Sequence, verified.Hash, new CheckpointLogPosition(lines.Count + 1, CheckpointLog.LineHash(line)));
            }

            var signed = CheckpointLog.TryParse(line, out var written) ? written
                : throw new InvalidOperationException("A checkpoint just written could not be read back.");
            logger.LogInformation("Audit checkpoint {Index} signed at sequence {Sequence} into {File}.", signed.Index, sequence, file);
            return signed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What a break's event says, machine-readable: <c>severity=critical; sequence=…; reason=…</c>.</summary>
    public static string AlarmDetails(AuditVerification broken)
    {
        ArgumentNullException.ThrowIfNull(broken);
        var reason = (broken.Problem ?? "unknown").Replace(';', ',');
        return string.Create(CultureInfo.InvariantCulture, $"severity=critical; sequence={broken.FirstBrokenSequence}; reason={reason}");
    }

    public void Dispose()
    {
        _gate.Dispose();
        _signer?.Dispose();
    }

    private async Task<IntegrityReport> VerifyLockedAsync(bool full, CancellationToken cancellationToken)
    {
        IntegrityReport report;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            report = await VerifyAsync(db, full ? null : _verified ?? await LastSignedAsync(cancellationToken), cancellationToken);
        }

        Last = report;
        if (report.Intact)
        {
            _verified = (report.VerifiedThroughSequence, report.VerifiedThroughHash, report.Log);
        }
        else
        {
            await RaiseAsync(report.Chain, cancellationToken);
        }

        return report;
    }

    /// <summary>
    /// Where an incremental verification of a portal that has not verified anything yet starts: the last signed
    /// checkpoint (only a verified head is signed, and its signature shows it is the one verified), when the log is
    /// intact; otherwise nowhere (the verification is then full).
    /// </summary>
    private async Task<(long Sequence, string Hash, CheckpointLogPosition? Log)?> LastSignedAsync(CancellationToken cancellationToken)
    {
        if (CheckpointFile is not { } file)
        {
            return null;
        }

        var reading = CheckpointLog.Read(await ReadLinesAsync(file, cancellationToken), Signer);
        return reading is { Intact: true, Checkpoints: [.., var last] } ? (last.Sequence, last.Hash, reading.Position) : null;
    }

    private async Task<IntegrityReport> VerifyAsync(
        NehrDbContext db, (long Sequence, string Hash, CheckpointLogPosition? Log)? from, CancellationToken cancellationToken)
    {
        var fromSequence = from?.Sequence ?? 0;
        var file = CheckpointFile;

        // The log is read before the database's snapshot (so every checkpoint it holds names an event the snapshot
        // has) and again after it (so it holds every checkpoint the snapshot's copies name: a line is appended before
        // its copy commits). The log only grows between the two reads.
        var before = file is null ? 0 : (await ReadLinesAsync(file, cancellationToken)).Count;
        await using var snapshot = await db.BeginReadSnapshotAsync(cancellationToken);
        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        var stored = await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        IReadOnlyList<AuditCheckpoint> checkpoints = stored;
        CheckpointLogPosition? position = null;
        var signedCount = 0;
        IntegrityReport Broken(long sequence, string problem) =>
            new(AuditVerification.Broken(0, sequence, problem), from is null, fromSequence + 1, fromSequence, from?.Hash ?? string.Empty, signedCount, file, null);

        if (file is not null)
        {
            var reading = CheckpointLog.Read(await ReadLinesAsync(file, cancellationToken), Signer, from?.Log);
            if (!reading.Intact)
            {
                return Broken(reading.BrokenNearSequence ?? fromSequence + 1, reading.Problem!);
            }

            if (reading.Checkpoints.Count < before)
            {
                return Broken(fromSequence + 1, $"the checkpoint log had {before} checkpoints and then {reading.Checkpoints.Count}: checkpoints were removed while it was verified");
            }

            signedCount = reading.Checkpoints.Count;
            var signed = reading.Checkpoints.ToDictionary(c => c.Sequence);
            foreach (var copy in stored)
            {
                if (!signed.TryGetValue(copy.Sequence, out var checkpoint))
                {
                    return Broken(copy.Sequence, $"the checkpoint signed at sequence {copy.Sequence} is missing from the checkpoint log: checkpoints were removed from it, or the log was replaced");
                }

                if (!string.Equals(checkpoint.Hash, copy.Hash, StringComparison.Ordinal))
                {
                    return Broken(copy.Sequence, $"the database's copy of the checkpoint at sequence {copy.Sequence} differs from the signed checkpoint");
                }
            }

            checkpoints = [.. reading.Checkpoints.Take(before).Select(c => new AuditCheckpoint(c.Sequence, c.Hash, c.AtUtc))];
            position = reading.Position;
        }

        var verifier = new AuditChainVerifier(checkpoints, fromSequence, from?.Hash ?? string.Empty);
        await foreach (var e in db.AuditEvents.AsNoTracking().Where(e => e.Sequence > fromSequence).OrderBy(e => e.Sequence)
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!verifier.Add(e))
            {
                break;
            }
        }

        var result = verifier.Complete(head.LastSequence, head.LastHash);
        var (throughSequence, throughHash) = verifier.VerifiedThrough;
        return new IntegrityReport(result, from is null, fromSequence + 1, throughSequence, throughHash, signedCount, file, position);
    }

    /// <summary>A critical log every time; an audit event once per break (the last one recorded is not recorded again).</summary>
    private async Task RaiseAsync(AuditVerification broken, CancellationToken cancellationToken)
    {
        logger.LogCritical("The audit trail is broken at sequence {Sequence}: {Problem}", broken.FirstBrokenSequence, broken.Problem);
        var details = AlarmDetails(broken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        await db.ClaimAsync(CheckpointClaim, cancellationToken);
        var lastRaised = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EventType == AuditEventTypes.ChainBreakDetected)
            .OrderByDescending(e => e.Sequence)
            .Select(e => e.Details)
            .FirstOrDefaultAsync(cancellationToken);
        if (string.Equals(lastRaised, details, StringComparison.Ordinal))
        {
            return;
        }

        await trail.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.ChainBreakDetected,
            CorrelationId = Guid.NewGuid().ToString("N"),
            Outcome = AuditOutcome.Failed,
            Details = details,
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> ReadLinesAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        var text = await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken);
        var lines = text.Split('\n');
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    private static async Task AppendLineAsync(string file, string line, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read });
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    private CheckpointSigner LoadSigner()
    {
        var setting = options.Value.SigningKeyFile;
        if (string.IsNullOrWhiteSpace(setting))
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException($"{AuditIntegrityOptions.Section}:SigningKeyFile is not set: the audit checkpoints need a signing key kept outside the database.");
            }

            setting = AuditIntegrityOptions.DevelopmentSigningKeyFile;
            GenerateKeyIfMissing(Path.Combine(environment.ContentRootPath, setting));
        }

        var path = Path.Combine(environment.ContentRootPath, setting);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{AuditIntegrityOptions.Section}:SigningKeyFile names {path}, which does not exist.");
        }

        return CheckpointSigner.FromPem(File.ReadAllText(path), path);
    }

    private static void GenerateKeyIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by the portal's user only
            }

            using var stream = new FileStream(path, create);
            stream.Write(Encoding.ASCII.GetBytes(CheckpointSigner.NewKeyPem()));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another portal (a test's second instance) wrote it first: use theirs.
        }
    }
}

/// <summary>
/// Runs <see cref="AuditIntegrity"/> on a schedule: at start, the events since the last signed checkpoint (the whole
/// trail when there is none) and a checkpoint; then every <see cref="AuditIntegrityOptions.VerifyEvery"/> the new
/// events, the whole trail and every signature every <see cref="AuditIntegrityOptions.FullVerifyEvery"/>, and a
/// signed checkpoint every <see cref="AuditIntegrityOptions.CheckpointEvery"/>. (Not a full verification at every
/// start: on a national trail of ten million events that is minutes of a core, at each restart of each instance.)
/// </summary>
public sealed class AuditIntegrityService(
    AuditIntegrity integrity, IOptions<AuditIntegrityOptions> options, TimeProvider clock, ILogger<AuditIntegrityService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Done once the verification at start has run and the interval's timer is set (what the next tick counts from).</summary>
    public Task Scheduled => _scheduled.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A checkpoint key that cannot be read stops the start, naming the setting, rather than the first checkpoint.
        if (options.Value.WritesCheckpoints)
        {
            _ = integrity.Signer;
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        // The first scheduled run after a start walks the whole trail: an instance restarted more often than
        // FullVerifyEvery would otherwise never do so, and an edit before the last checkpoint would go unseen.
        var lastFull = DateTimeOffset.MinValue;
        var lastCheckpoint = clock.GetUtcNow();
        await RunAsync(full: false, checkpoint: true, stoppingToken);
        using var timer = new PeriodicTimer(settings.VerifyEvery, clock);
        _scheduled.TrySetResult();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = clock.GetUtcNow();
                var full = now - lastFull >= settings.FullVerifyEvery;
                var checkpoint = now - lastCheckpoint >= settings.CheckpointEvery;
                await RunAsync(full, checkpoint, stoppingToken);
                lastFull = full ? now : lastFull;
                lastCheckpoint = checkpoint ? now : lastCheckpoint;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(bool full, bool checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            var report = await integrity.VerifyAsync(full, cancellationToken);
            if (report.Intact && checkpoint)
            {
                await integrity.CheckpointAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Tried again at the next interval: an exception out of a background service would stop the whole portal.
            logger.LogError(e, "The audit trail could not be verified or checkpointed; trying again at the next interval.");
        }
    }
}

public static class AuditIntegrityServiceCollectionExtensions
{
    /// <summary>The scheduled verification of the audit trail and its signed checkpoints (settings "Nehr:Integrity", validated at start).</summary>
    public static IServiceCollection AddNehrAuditIntegrity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditIntegrityOptions>()
            .Bind(configuration.GetSection(AuditIntegrityOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.FullVerifyEvery >= o.VerifyEvery, $"{AuditIntegrityOptions.Section}:FullVerifyEvery must not be shorter than VerifyEvery.")
            .ValidateOnStart();
        services.AddSingleton<AuditIntegrity>();
        services.AddHostedService<AuditIntegrityService>();
        return services;
    }
}
