using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Core.Contribution;

/// <summary>The system behind a contribution (from its access token) and where it called from.</summary>
public sealed record SystemCaller(int SystemId, string? ClientAddress, string CorrelationId);

/// <summary>One entry of an accepted bundle: created, or an update of what the same source sent before.</summary>
public sealed record EntryOutcome(int EntryIndex, string ResourceType, bool Created);

/// <summary>Accepted (with an outcome per entry), or refused with the problems and the HTTP status that fits them.</summary>
public sealed record ContributionResult(int Status, IReadOnlyList<ContributionIssue> Issues, IReadOnlyList<EntryOutcome> Outcomes, string BundleType)
{
    public bool Accepted => Status is 200;

    public static ContributionResult Refused(IReadOnlyList<ContributionIssue> issues) => new(StatusFor(issues), issues, [], string.Empty);

    private static int StatusFor(IReadOnlyList<ContributionIssue> issues) =>
        issues.Any(i => i.Kind == IssueKind.TooLarge) ? 413
        : issues.Any(i => i.Kind == IssueKind.Malformed) ? 400
        : 422;
}

/// <summary>
/// Applies a system's FHIR bundle to the NEHR: all of it in one transaction, or none of it. A resource sent again by
/// the same system (same kind, same source identifier) updates its entry. The patient's restriction plays no part:
/// contribution always continues. The contribution is audited with it, attributed to the provider and the system.
/// Bad input is answered without writing anything, so the database is left exactly as it was.
/// </summary>
public sealed class ContributionService(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock)
{
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
        var allowed = secretOk && system!.MayContribute;
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = allowed ? AuditEventTypes.SystemTokenIssued : AuditEventTypes.SystemTokenRefused,
            CorrelationId = correlationId,
            SystemId = system?.Id,
            ActorProviderId = system?.ProviderId,
            ClientAddress = clientAddress,
            Outcome = allowed ? AuditOutcome.Success : AuditOutcome.Denied,
            Details = allowed ? $"client={clientId}"
                : $"client={Truncate(clientId)}; {(system is null ? "unknown client" : !secretOk ? "wrong secret" : $"connection {system.State}")}",
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return allowed ? system!.Id : null;
    }

    private static string Truncate(string? value) => value is null ? "-" : value.Length > 100 ? value[..100] : value;

    /// <summary>Whether the system may contribute now; a refusal is audited (it is an authorisation failure).</summary>
    public async Task<bool> AuthoriseAsync(SystemCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var system = await db.SystemConnections.AsNoTracking().SingleOrDefaultAsync(s => s.Id == caller.SystemId, cancellationToken);
        if (system is { MayContribute: true })
        {
            return true;
        }

        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        await audit.AppendAsync(db, Refusal(caller, system), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return false;
    }

    public async Task<ContributionResult> ContributeAsync(SystemCaller caller, string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = clock.GetUtcNow().UtcDateTime;
        var content = FhirBundleReader.Read(json ?? string.Empty, now);
        if (content.Issues.Count > 0)
        {
            return ContributionResult.Refused(content.Issues);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var system = await db.SystemConnections.AsNoTracking().SingleOrDefaultAsync(s => s.Id == caller.SystemId, cancellationToken);
        if (system is not { MayContribute: true })
        {
            await audit.AppendAsync(db, Refusal(caller, system), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new ContributionResult(401, [new(IssueKind.Invalid, "Bundle", "This system may not contribute (suspended, revoked or unknown).")], [], content.BundleType);
        }

        // Every patient named must be in the NEHR; the answer names the entry that names an unknown one.
        var nrics = content.Patients.Values.Concat(content.Entries.Select(e => e.Patient)).Distinct().ToList();
        var patientIds = await db.Patients.AsNoTracking().Where(p => nrics.Contains(p.Nric))
            .Select(p => new { p.Nric, p.Id }).ToDictionaryAsync(p => p.Nric, p => p.Id, cancellationToken);
        var unknown = content.Patients.Where(p => !patientIds.ContainsKey(p.Value))
            .Select(p => new ContributionIssue(IssueKind.UnknownPatient, $"Bundle.entry[{p.Key}].resource.identifier", $"No patient with NRIC/FIN {p.Value.Value} is in the NEHR."))
            .Concat(content.Entries.Where(e => !patientIds.ContainsKey(e.Patient) && !content.Patients.Values.Contains(e.Patient))
                .Select(e => new ContributionIssue(IssueKind.UnknownPatient, $"Bundle.entry[{e.EntryIndex}].resource", $"No patient with NRIC/FIN {e.Patient.Value} is in the NEHR.")))
            .ToList();
        if (unknown.Count > 0)
        {
            return ContributionResult.Refused(unknown);
        }

        var sourceIds = content.Entries.Select(e => e.SourceIdentifier).Distinct().ToList();
        var existing = (await db.ClinicalEntries
                .Where(e => e.SourceSystemId == system.Id && sourceIds.Contains(e.SourceIdentifier))
                .ToListAsync(cancellationToken))
            .ToDictionary(e => (e.Kind, e.SourceIdentifier));
        var outcomes = new List<EntryOutcome>();
        foreach (var draft in content.Entries)
        {
            var entry = draft.Create(new EntrySource(patientIds[draft.Patient], system.ProviderId, system.Id, draft.SourceIdentifier, draft.OccurredAtUtc, now));
            if (existing.TryGetValue((draft.Kind, draft.SourceIdentifier), out var previous))
            {
                var incoming = db.Entry(entry).CurrentValues;
                var target = db.Entry(previous).CurrentValues;
                foreach (var property in target.Properties.Where(p => !p.IsPrimaryKey() && !p.IsShadowProperty()))
                {
                    target[property] = incoming[property];
                }

                outcomes.Add(new EntryOutcome(draft.EntryIndex, draft.ResourceType, Created: false));
            }
            else
            {
                db.ClinicalEntries.Add(entry);
                outcomes.Add(new EntryOutcome(draft.EntryIndex, draft.ResourceType, Created: true));
            }
        }

        db.ContributionBatches.Add(new ContributionBatch(system.ProviderId, system.Id, content.Entries.Count, now));
        var patients = content.Entries.Select(e => patientIds[e.Patient]).Distinct().ToList();
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.ContributionAccepted,
            CorrelationId = caller.CorrelationId,
            SystemId = system.Id,
            ActorProviderId = system.ProviderId,
            ClientAddress = caller.ClientAddress,
            PatientId = patients.Count == 1 ? patients[0] : null,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"bundle={content.BundleType}; created={outcomes.Count(o => o.Created)}; updated={outcomes.Count(o => !o.Created)}; patients=[{string.Join(',', patients.Take(50))}{(patients.Count > 50 ? ",..." : "")}]"),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ContributionResult(200, [], outcomes, content.BundleType);
    }

    private static AuditEntry Refusal(SystemCaller caller, SystemConnection? system) => new()
    {
        EventType = AuditEventTypes.ContributionRefused,
        CorrelationId = caller.CorrelationId,
        SystemId = system?.Id,
        ActorProviderId = system?.ProviderId,
        ClientAddress = caller.ClientAddress,
        Outcome = AuditOutcome.Denied,
        Details = string.Create(CultureInfo.InvariantCulture, $"system={caller.SystemId}; state={system?.State.ToString() ?? "unknown"}"),
    };
}
