using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;

namespace Nehr.Core.Contribution;

/// <summary>The system behind a contribution (from its access token), where it called from, and its kind once known.</summary>
public sealed record SystemCaller(int SystemId, string? ClientAddress, string CorrelationId, SystemKind? Kind = null);

/// <summary>The answer for one request entry: its status and what went with it (notes, or the problems of a refused entry).</summary>
public sealed record EntryResponse(int Index, ContributionStatus Status, IReadOnlyList<ContributionIssue> Issues);

/// <summary>
/// Accepted (a response for every request entry, in order), or refused whole with the problems and the status that
/// fits them.
/// </summary>
public sealed record ContributionResult(ContributionStatus Status, IReadOnlyList<ContributionIssue> Issues, IReadOnlyList<EntryResponse> Entries, string BundleType)
{
    public bool Accepted => Status == ContributionStatus.Accepted;

    public static ContributionResult Refused(IReadOnlyList<ContributionIssue> issues, string bundleType = "") =>
        new(ContributionIssue.StatusFor(issues), issues, [], bundleType);
}

/// <summary>Settings of section "Nehr:Registration".</summary>
public sealed class RegistrationOptions
{
    public const string Section = "Nehr:Registration";

    /// <summary>How long a registration from an encounter lasts after the episode ends, in days.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3650, ErrorMessage = "Nehr:Registration:DaysAfterEpisode must be between 1 and 3650.")]
    public int DaysAfterEpisode { get; set; } = 90;

    /// <summary>
    /// How long a registration from a visit still under way lasts at most, in days from the visit's start: a source that
    /// never sends the visit's end (an old export with an encounter left in progress) does not register the patient for
    /// ever. Sending the visit again with its end replaces it with the end plus <see cref="DaysAfterEpisode"/>.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3650, ErrorMessage = "Nehr:Registration:OpenEpisodeDays must be between 1 and 3650.")]
    public int OpenEpisodeDays { get; set; } = 365;
}

/// <summary>
/// Applies a system's FHIR bundle to the NEHR. A transaction is applied whole or not at all; in a batch each entry
/// stands alone. A provider's system files clinical entries for the persons of its bundle, after the identity
/// cross-check (<see cref="ProviderFeed"/>); the population register's system keeps the person register
/// (<see cref="PopulationRegisterFeed"/>). Every request, accepted or refused, leaves a row in the contribution log and
/// an event in the audit trail (contribution.accepted or contribution.refused), written in the same transaction as
/// what it records. Bad input changes no clinical data. A patient's restriction plays no part.
/// </summary>
public sealed partial class ContributionService(
    IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands, AuditTrail audit, TimeProvider clock,
    IOptions<RegistrationOptions> registration, AnonymousEventGuard anonymous)
{
    /// <summary>Lines of a population-register load written in one transaction.</summary>
    public const int RegisterLoadChunk = 500;

    /// <summary>
    /// Checks a system's client credentials for a token: the secret against its stored hash, and the connection's
    /// state now. Both outcomes are audited. Returns the system's id, or null when refused.
    /// </summary>
    public async Task<int?> AuthenticateClientAsync(
        string? clientId, string? clientSecret, string? clientAddress, string correlationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var system = string.IsNullOrEmpty(clientId)
            ? null
            : await db.SystemConnections.AsNoTracking().SingleOrDefaultAsync(s => s.ClientId == clientId, cancellationToken);
        var secretOk = system is not null && ClientSecrets.Verify(clientSecret, system.ClientSecretHash);
        var allowed = secretOk && system is { MayContribute: true };
        // A request for a client that does not exist names nobody: a flood of them is counted, not written one by one.
        if (system is null && !anonymous.Admit(AuditEventTypes.SystemTokenRefused, clientAddress))
        {
            return null;
        }

        // The caller proves who it is with the request itself: the command decides on the secret checked above.
        await commands.RunAsync(new AuditContext(null, clientAddress, correlationId), command => command.AuditAsync(new AuditEntry
        {
            EventType = allowed ? AuditEventTypes.SystemTokenIssued : AuditEventTypes.SystemTokenRefused,
            CorrelationId = correlationId,
            SystemId = system?.Id,
            ActorProviderId = system?.ProviderId,
            ClientAddress = clientAddress,
            Outcome = allowed ? AuditOutcome.Success : AuditOutcome.Denied,
            Details = allowed ? $"client={clientId}"
                : $"client={Truncate(clientId)}; {(system is null ? "unknown client" : !secretOk ? "wrong secret" : $"connection {system.State}")}",
        }, cancellationToken), cancellationToken);
        return allowed && system is not null ? system.Id : null;
    }

    private static string Truncate(string? value) => value is null ? "-" : value.Length > 100 ? value[..100] : value;

    /// <summary>The system, if it may contribute now; a refusal is audited (it is an authorisation failure).</summary>
    public async Task<SystemConnection?> AuthoriseAsync(SystemCaller caller, CancellationToken cancellationToken = default)
    {
        try
        {
            return await commands.RequireSystemAsync(caller, cancellationToken);
        }
        catch (AccessRefusedException)
        {
            return null;
        }
    }

    /// <summary>A request refused before its bundle was read (wrong content type, too large): logged and audited.</summary>
    public Task<ContributionResult> RefuseAsync(SystemCaller caller, ContributionIssue issue, ContributionStatus status, CancellationToken cancellationToken = default) =>
        commands.RunAsSystemAsync(caller, async command =>
        {
            var result = new ContributionResult(status, [issue], [], string.Empty);
            await LogRefusalAsync(command.Db, audit, caller, command.Connection, result, 0, [], command.Now, cancellationToken);
            return result;
        }, cancellationToken);

    /// <summary>
    /// Applies a bundle, or refuses it whole (logged and audited). A system that may no longer contribute is refused
    /// with <see cref="AccessRefusedException"/> (audited).
    /// </summary>
    public async Task<ContributionResult> ContributeAsync(SystemCaller caller, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        SystemKind? kind = caller.Kind;
        if (kind is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            kind = await db.SystemConnections.AsNoTracking().Where(s => s.Id == caller.SystemId).Select(s => (SystemKind?)s.Kind).SingleOrDefaultAsync(cancellationToken);
        }

        // Read before the transaction begins: parsing is most of the work, and needs no database. A transaction run
        // again after losing a race (Commands) reads the bundle again: filing changes the entries read.
        BundleContent? read = FhirBundleReader.Read(body, kind ?? SystemKind.ProviderFeed, clock.GetUtcNow().UtcDateTime);
        return await commands.RunAsSystemAsync(caller, async command =>
        {
            var (db, system, now) = (command.Db, command.Connection, command.Now);
            var content = read ?? FhirBundleReader.Read(body, kind ?? SystemKind.ProviderFeed, now);
            read = null;
            if (content.Issues.Count > 0)
            {
                var refused = ContributionResult.Refused(content.Issues, content.BundleType);
                await LogRefusalAsync(db, audit, caller, system, refused, content.Entries.Count, [], now, cancellationToken);
                return refused;
            }

            return system.Kind == SystemKind.PopulationRegister
                ? await new PopulationRegisterFeed(db, audit, system, caller, now).ApplyAsync(content, cancellationToken)
                : await new ProviderFeed(db, audit, system, caller, now, registration.Value).ApplyAsync(content, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The population register's first fill: NDJSON, one Patient a line. Lines are read as they arrive and applied
    /// in transactions of <see cref="RegisterLoadChunk"/>; each line stands alone (as in a batch): a bad line is
    /// reported with its number and changes nothing, the others are applied.
    /// </summary>
    public async Task<RegisterLoadResult> LoadPopulationRegisterAsync(SystemCaller caller, Stream body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(body);
        var started = clock.GetUtcNow().UtcDateTime;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<ContributionIssue>();
        var lines = 0;
        var persons = 0;
        var applied = 0;
        var stopped = false;
        var system = await commands.RequireSystemAsync(caller, cancellationToken);
        if (system.Kind != SystemKind.PopulationRegister)
        {
            var issue = new ContributionIssue(IssueKind.NotSupported, "Patient",
                "Only the population register's system loads persons in bulk; a provider's system posts bundles to /fhir.");
            await RefuseAsync(caller, issue, ContributionStatus.Unprocessable, cancellationToken);
            return new RegisterLoadResult(ContributionStatus.Unprocessable, 0, 0, 0, counts, [issue]);
        }

        using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var chunk = new List<(int Line, string Text)>(RegisterLoadChunk);
        while (true)
        {
            var text = await reader.ReadLineAsync(cancellationToken);
            if (text is not null)
            {
                lines++;
                if (text.Trim().Length > 0)
                {
                    persons++;
                    chunk.Add((lines, text));
                }
            }

            if (chunk.Count == RegisterLoadChunk || text is null && chunk.Count > 0)
            {
                try
                {
                    applied += await LoadChunkAsync(caller, chunk, counts, problems, cancellationToken);
                }
                catch (AccessRefusedException)
                {
                    // Suspended or revoked during the load (refused and audited): what was applied stays, and is logged below.
                    problems.Add(new(IssueKind.Invalid, $"line {chunk[0].Line}",
                        $"{SystemCommand.RefusalMessage} Lines from {chunk[0].Line} on were not applied."));
                    stopped = true;
                    break;
                }

                chunk.Clear();
            }

            if (text is null)
            {
                break;
            }
        }

        if (lines == 0)
        {
            problems.Add(new(IssueKind.Malformed, "line 1", "The load is empty: send one Patient (FHIR R4 JSON) a line."));
        }

        var status = stopped ? ContributionStatus.Unauthorised
            : applied > 0 || problems.Count == 0 ? ContributionStatus.Accepted : ContributionIssue.StatusFor(problems);
        // The load's log row and event are written even if the connection was suspended meanwhile: what was applied is recorded.
        await commands.RunAsync(SystemCommand.WhoOf(caller), async command =>
        {
            var outcome = problems.Count == 0 ? ContributionOutcome.Accepted : applied > 0 ? ContributionOutcome.PartlyAccepted : ContributionOutcome.Refused;
            await LogAsync(command.Db, audit, caller, system, started, new ContributionRecord(
                outcome, status, "ndjson", lines, applied, 0, persons - applied, counts, problems), null, cancellationToken);
            return outcome;
        }, cancellationToken);

        return new RegisterLoadResult(status, lines, applied, persons - applied, counts, problems);
    }

    private async Task<int> LoadChunkAsync(
        SystemCaller caller, List<(int Line, string Text)> chunk, Dictionary<string, int> counts,
        List<ContributionIssue> problems, CancellationToken cancellationToken)
    {
        var read = PopulationRegisterFeed.ReadLines(chunk, clock.GetUtcNow().UtcDateTime);
        PopulationRegisterFeed? feed = null;
        var responses = await commands.RunAsSystemAsync(caller, command =>
        {
            feed = new PopulationRegisterFeed(command.Db, audit, command.Connection, caller, command.Now);
            return feed.ApplyPersonsAsync(read.Select(r => r.Entry).ToList(), cancellationToken);
        }, cancellationToken);
        var applied = 0;
        for (var i = 0; i < responses.Count; i++)
        {
            var line = read[i].Line;
            if (responses[i].Status.IsRefusal())
            {
                problems.AddRange(responses[i].Issues.Select(p => p with { Location = $"line {line}: {p.Location.Replace($"Bundle.entry[{i}].resource", "Patient", StringComparison.Ordinal)}" }));
            }
            else
            {
                applied++;
            }
        }

        foreach (var (key, value) in feed?.Counts ?? new Dictionary<string, int>())
        {
            counts[key] = counts.GetValueOrDefault(key) + value;
        }

        return applied;
    }

    /// <summary>A refusal: its log row (with the OperationOutcome's codes and texts), its identity mismatches and its audit event.</summary>
    internal static Task LogRefusalAsync(
        NehrDbContext db, AuditTrail audit, SystemCaller caller, SystemConnection system, ContributionResult result, int entries,
        IReadOnlyList<IdentityMismatch> mismatches, DateTime now, CancellationToken cancellationToken)
    {
        db.IdentityMismatches.AddRange(mismatches);
        return LogAsync(db, audit, caller, system, now, new ContributionRecord(
            ContributionOutcome.Refused, result.Status, NullIfEmpty(result.BundleType), entries, 0, 0, entries, new Dictionary<string, int>(),
            result.Issues.Where(i => i.IsError).ToList()), null, cancellationToken);
    }

    /// <summary>
    /// What a contribution request did, in its row of the contribution log and its audit event (contribution.accepted,
    /// or contribution.refused when nothing was applied), both in the caller's transaction.
    /// </summary>
    internal static async Task LogAsync(
        NehrDbContext db, AuditTrail audit, SystemCaller caller, SystemConnection system, DateTime now, ContributionRecord record,
        IReadOnlyList<int>? patients, CancellationToken cancellationToken)
    {
        var kinds = KindCounts(record.Counts);
        db.ContributionBatches.Add(new ContributionBatch(system.ProviderId, system.Id, now, record.Outcome, record.Status.HttpStatus(), record.BundleType,
            record.Entries, record.Kept, record.NotKept, record.Refused, kinds, IssueCodes(record.Errors), IssueText(record.Errors)));
        var refused = record.Outcome == ContributionOutcome.Refused;
        patients ??= [];
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = refused ? AuditEventTypes.ContributionRefused : AuditEventTypes.ContributionAccepted,
            CorrelationId = caller.CorrelationId,
            SystemId = system.Id,
            ActorProviderId = system.ProviderId,
            ClientAddress = caller.ClientAddress,
            PatientId = patients.Count == 1 ? patients[0] : null,
            Outcome = refused ? AuditOutcome.Failed : AuditOutcome.Success,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"status={record.Status.HttpStatus()}; bundle={record.BundleType ?? "-"}; entries={record.Entries}; kept={record.Kept}; refused={record.Refused}; codes={IssueCodes(record.Errors) ?? "-"}; {kinds ?? "-"}{(patients.Count > 0 ? $"; patients=[{string.Join(',', patients.Take(50))}{(patients.Count > 50 ? ",..." : "")}]" : string.Empty)}"),
        }, cancellationToken);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string? KindCounts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? null : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value}")));

    internal static string? IssueCodes(IEnumerable<ContributionIssue> issues)
    {
        var codes = issues.Where(i => i.IsError).Select(i => i.Code).Distinct().Order(StringComparer.Ordinal).ToList();
        return codes.Count == 0 ? null : string.Join(", ", codes);
    }

    /// <summary>
    /// The problems as answered, for the log: where and what, one a line. Values the sender wrote that a message
    /// quotes are left out ('…'), so the log never holds what a resource said.
    /// </summary>
    internal static string? IssueText(IEnumerable<ContributionIssue> issues)
    {
        var lines = issues.Where(i => i.IsError).Take(20)
            .Select(i => $"{i.Location}: {QuotedValue().Replace(i.Message, "'…'")}")
            .Select(line => new string(line.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? ' ' : c).ToArray()))
            .ToList();
        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    [GeneratedRegex("'[^']*'")]
    private static partial Regex QuotedValue();
}

/// <summary>What one contribution request did, for the log and the audit trail: outcome, status, counts, the problems.</summary>
internal sealed record ContributionRecord(
    ContributionOutcome Outcome, ContributionStatus Status, string? BundleType, int Entries, int Kept, int NotKept, int Refused,
    IReadOnlyDictionary<string, int> Counts, IReadOnlyList<ContributionIssue> Errors);

/// <summary>
/// What a population-register load did: lines read, persons applied, lines refused (a line with several problems is
/// one refused line), counts per kind of change, and each refused line's problems.
/// </summary>
public sealed record RegisterLoadResult(ContributionStatus Status, int Lines, int Applied, int Refused, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<ContributionIssue> Problems);
