using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Contribution;

/// <summary>A contribution the NEHR refused, in whole or in part, as the contribution log has it (never its payload).</summary>
public sealed record RefusalRow(
    long Id, DateTime ReceivedAtUtc, ContributionOutcome Outcome, int HttpStatus, string? BundleType, int EntryCount, int RefusedCount,
    string? IssueCodes, string? IssueText);

/// <summary>One of the provider's systems with its latest refusals, newest first.</summary>
public sealed record SystemRefusals(int SystemId, string Name, SystemKind Kind, ConnectionState State, IReadOnlyList<RefusalRow> Refusals);

/// <summary>
/// One row of the data-quality list: a Patient a provider's system sent that disagreed with the person register
/// (nothing was filed for that person). The NRIC/FIN is the one the provider sent; the register's value is never shown.
/// </summary>
public sealed record IdentityMismatchRow(
    long Id, DateTime AtUtc, int ProviderId, string ProviderName, int SystemId, string SystemName, string? Nric, string? SourceReference,
    string Field, string Message);

/// <summary>
/// What a provider administrator reads from the contribution log about their own provider (it comes from their
/// account, never from a parameter): each system's latest refusals, and the identity mismatches of its systems.
/// Anyone else is refused, and the refusal audited. MOH reads the same log through <see cref="Oversight.OversightDashboard"/>.
/// </summary>
public sealed class ContributionReports(IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands)
{
    /// <summary>How many of each system's latest refusals are listed.</summary>
    public const int RefusalsPerSystem = 20;

    /// <summary>How many of the latest identity mismatches are listed.</summary>
    public const int MismatchCount = 50;

    /// <summary>
    /// Every system of the administrator's provider with its last <see cref="RefusalsPerSystem"/> contributions that
    /// were refused (nothing applied) or partly refused (a batch some of whose entries were refused), newest first.
    /// </summary>
    public async Task<IReadOnlyList<SystemRefusals>> RefusalsAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await commands.RequireStaffAsync(who, "contribution.refusals", Admin, cancellationToken);
        var systems = await db.SystemConnections.AsNoTracking()
            .Where(s => s.ProviderId == actor.ProviderId)
            .Select(s => new { s.Id, s.Name, s.Kind, s.State, s.AppliedAtUtc })
            .ToListAsync(cancellationToken);
        var result = new List<SystemRefusals>(systems.Count);
        foreach (var system in systems.OrderBy(s => s.State).ThenByDescending(s => s.AppliedAtUtc))
        {
            // One short read per system, over the log's (system, outcome, time) index.
            var refusals = await db.ContributionBatches.AsNoTracking()
                .Where(b => b.SystemId == system.Id
                    && (b.Outcome == ContributionOutcome.Refused || b.Outcome == ContributionOutcome.PartlyAccepted))
                .OrderByDescending(b => b.ReceivedAtUtc).ThenByDescending(b => b.Id)
                .Take(RefusalsPerSystem)
                .Select(b => new RefusalRow(
                    b.Id, b.ReceivedAtUtc, b.Outcome, b.HttpStatus, b.BundleType, b.EntryCount, b.RefusedCount, b.IssueCodes, b.IssueText))
                .ToListAsync(cancellationToken);
            result.Add(new SystemRefusals(system.Id, system.Name, system.Kind, system.State, refusals));
        }

        return result;
    }

    /// <summary>The latest <see cref="MismatchCount"/> identity mismatches of the administrator's provider's systems, newest first.</summary>
    public async Task<IReadOnlyList<IdentityMismatchRow>> IdentityMismatchesAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await commands.RequireStaffAsync(who, "contribution.identity-mismatches", Admin, cancellationToken);
        return await LatestMismatches(db, actor.ProviderId).ToListAsync(cancellationToken);
    }

    /// <summary>The latest identity mismatches, newest first: one provider's, or every provider's (null).</summary>
    internal static IQueryable<IdentityMismatchRow> LatestMismatches(NehrDbContext db, int? providerId) =>
        (from m in db.IdentityMismatches.AsNoTracking()
         where providerId == null || m.ProviderId == providerId
         join p in db.Providers on m.ProviderId equals p.Id
         join s in db.SystemConnections on m.SystemId equals s.Id
         orderby m.AtUtc descending, m.Id descending
         select new IdentityMismatchRow(m.Id, m.AtUtc, m.ProviderId, p.Name, m.SystemId, s.Name, m.Nric, m.SourceReference, m.Field, m.Message))
        .Take(MismatchCount);

    private static readonly string[] Admin = [Roles.ProviderAdmin];
}
