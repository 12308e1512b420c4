using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Oversight;

/// <summary>A labelled count for a chart.</summary>
public sealed record ChartPoint(string Label, int Count);

public sealed record OversightFigures(
    int OnboardedProviders, int ProvidersNotOnboarded, int Patients, int PendingOverrides, int OpenReports, int OverdueDirectives,
    IReadOnlyList<ChartPoint> OverridesPerWeek, IReadOnlyList<ChartPoint> OverridesPerProvider, IReadOnlyList<ChartPoint> BacklogAge,
    IReadOnlyList<ChartPoint> DeniedPerWeek);

/// <summary>Where a provider stands with mandatory contribution.</summary>
public enum ContributionState
{
    /// <summary>The keeper of the population register: its feed is the register's, not clinical data.</summary>
    PopulationRegister,

    /// <summary>Not licensed: not bound to contribute.</summary>
    NotLicensed,

    /// <summary>Licensed, and has never made a good contribution.</summary>
    NeverContributed,

    /// <summary>Licensed, contributed before, but not within the window (<see cref="ComplianceRow.WindowDays"/> days).</summary>
    NothingInWindow,

    /// <summary>Licensed, and made at least one good contribution within the window.</summary>
    Contributing,
}

/// <summary>
/// One provider's contribution to the NEHR, from the contribution log. <see cref="LastContributionUtc"/> is the last
/// good one (not refused, and at least one clinical resource kept); <see cref="ResourcesLast30Days"/> counts only the
/// resources kept by contributions that were not refused.
/// </summary>
public sealed record ComplianceRow(
    int ProviderId, string Code, string Name, ProviderType Type, bool Licensed, OnboardingState Onboarding, bool Suspended,
    DateTime? LastContributionUtc, int ResourcesLast30Days)
{
    /// <summary>The window a licensed provider must have contributed in to count as contributing, in days.</summary>
    public const int WindowDays = 30;

    /// <summary>Contribution requests in the last 30 days, accepted or refused.</summary>
    public int RequestsLast30Days { get; init; }

    /// <summary>Requests of the last 30 days the NEHR refused (nothing applied).</summary>
    public int RefusedLast30Days { get; init; }

    /// <summary>Refused requests / all requests in the last 30 days; null when there were none.</summary>
    public double? RefusalRateLast30Days => RequestsLast30Days == 0 ? null : (double)RefusedLast30Days / RequestsLast30Days;

    /// <summary>Each of the provider's systems.</summary>
    public IReadOnlyList<SystemCompliance> Systems { get; init; } = [];

    /// <summary>
    /// Contributing means a good contribution (a clinical resource kept) within the last <see cref="WindowDays"/> days;
    /// one long ago does not count. The keeper of the population register is not a healthcare provider.
    /// </summary>
    public ContributionState State => Type == ProviderType.PopulationRegister ? ContributionState.PopulationRegister
        : !Licensed ? ContributionState.NotLicensed
        : LastContributionUtc is null ? ContributionState.NeverContributed
        : ResourcesLast30Days > 0 ? ContributionState.Contributing
        : ContributionState.NothingInWindow;

    /// <summary>A licensed provider that has not contributed within the window (never, or not lately): out of compliance.</summary>
    public bool NotContributing => State is ContributionState.NeverContributed or ContributionState.NothingInWindow;
}

/// <summary>One onboarded provider's recertification of its personnel's roles, for MOH's compliance view.</summary>
public sealed record RecertificationRow(int ProviderId, string Code, string Name, RecertificationStatus Status);

/// <summary>One system's contribution, from the contribution log: its last good contribution, its requests and refusals.</summary>
public sealed record SystemCompliance(
    int SystemId, string Name, SystemKind Kind, ConnectionState State, DateTime? LastGoodContributionUtc,
    int RequestsLast30Days, int RefusedLast30Days, DateTime? LastRefusalUtc, string? LastRefusalIssueText);

/// <summary>The MOH dashboard and the contribution compliance view (for MOH auditors and administrators).</summary>
public sealed class OversightDashboard(
    IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands, TimeProvider clock,
    Microsoft.Extensions.Options.IOptionsMonitor<RecertificationOptions> recertification)
{
    public const int Weeks = 12;

    public async Task<OversightFigures> FiguresAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await commands.RequireStaffAsync(who, "dashboard", Moh, cancellationToken);

        var weekStart = StartOfWeek(now).AddDays(-7 * (Weeks - 1));
        // Healthcare providers only: the population register's keeper is never onboarded for reading.
        var byState = await db.Providers.Where(p => p.Type != ProviderType.PopulationRegister)
            .GroupBy(p => p.OnboardingState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var overrides = await db.EmergencyOverrides.AsNoTracking().Where(o => o.GrantedAtUtc >= weekStart)
            .Select(o => new { o.GrantedAtUtc, o.ProviderId }).ToListAsync(cancellationToken);
        var pending = await db.EmergencyOverrides.AsNoTracking().Where(o => o.ReviewStatus == OverrideReviewStatus.Pending)
            .Select(o => o.GrantedAtUtc).ToListAsync(cancellationToken);
        var openReports = await db.AccessReports.AsNoTracking().Where(r => r.Status == ReportStatus.Open)
            .Select(r => r.ReportedAtUtc).ToListAsync(cancellationToken);
        var overrideProviders = overrides.Select(o => o.ProviderId).Distinct().ToList();
        var providerNames = await db.Providers.AsNoTracking().Where(p => overrideProviders.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var directives = await db.Directives.AsNoTracking().Where(d => d.Status != DirectiveStatus.Done && d.DeadlineUtc < now).CountAsync(cancellationToken);

        var weeks = Enumerable.Range(0, Weeks).Select(i => weekStart.AddDays(7 * i)).ToList();
        static string Label(DateTime week) => week.ToString("d MMM", CultureInfo.InvariantCulture);
        var overrideCounts = overrides.GroupBy(o => StartOfWeek(o.GrantedAtUtc)).ToDictionary(g => g.Key, g => g.Count());

        // Denied attempts can be many: counted in the database, week by week, over the time index.
        var deniedPerWeek = new List<ChartPoint>(Weeks);
        foreach (var week in weeks)
        {
            var end = week.AddDays(7);
            deniedPerWeek.Add(new ChartPoint(Label(week), await db.AuditEvents
                .CountAsync(e => e.OccurredAtUtc >= week && e.OccurredAtUtc < end && e.Outcome == AuditOutcome.Denied, cancellationToken)));
        }

        var backlog = pending.Concat(openReports).Select(t => (now - t).TotalDays).ToList();
        return new OversightFigures(
            byState.Where(s => s.Key == OnboardingState.Onboarded).Sum(s => s.Count),
            byState.Where(s => s.Key == OnboardingState.NotOnboarded).Sum(s => s.Count),
            await db.Patients.CountAsync(cancellationToken),
            pending.Count,
            openReports.Count,
            directives,
            weeks.Select(w => new ChartPoint(Label(w), overrideCounts.GetValueOrDefault(w))).ToList(),
            overrides.GroupBy(o => o.ProviderId)
                .Select(g => new ChartPoint(providerNames.GetValueOrDefault(g.Key, "?"), g.Count()))
                .OrderByDescending(p => p.Count).ThenBy(p => p.Label, StringComparer.Ordinal).Take(10).ToList(),
            [
                new("Under 1 day", backlog.Count(d => d < 1)),
                new("1-7 days", backlog.Count(d => d is >= 1 and < 7)),
                new("7-30 days", backlog.Count(d => d is >= 7 and < 30)),
                new("30 days or more", backlog.Count(d => d >= 30)),
            ],
            deniedPerWeek);
    }

    /// <summary>
    /// Every provider with its onboarding state, last good contribution, 30-day volume and refusal rate, and each of its
    /// systems; licensed providers that never contributed first.
    /// </summary>
    public async Task<IReadOnlyList<ComplianceRow>> ComplianceAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await commands.RequireStaffAsync(who, "compliance", Moh, cancellationToken);
        var since = now.AddDays(-ComplianceRow.WindowDays);

        // A good contribution: not refused, and it kept at least one clinical resource.
        var good = db.ContributionBatches.Where(b => b.Outcome != ContributionOutcome.Refused && b.ResourceCount > 0);
        var lastGood = await good.GroupBy(b => b.ProviderId)
            .Select(g => new { ProviderId = g.Key, Last = g.Max(b => b.ReceivedAtUtc) })
            .ToDictionaryAsync(x => x.ProviderId, x => x.Last, cancellationToken);
        var lastGoodBySystem = await good.Where(b => b.SystemId != null).GroupBy(b => b.SystemId)
            .Select(g => new { SystemId = g.Key, Last = g.Max(b => b.ReceivedAtUtc) })
            .ToDictionaryAsync(x => x.SystemId ?? 0, x => x.Last, cancellationToken);

        // The last 30 days per provider and system (a null system: the demo data's loads).
        var recent = await db.ContributionBatches.Where(b => b.ReceivedAtUtc >= since)
            .GroupBy(b => new { b.ProviderId, b.SystemId })
            .Select(g => new
            {
                g.Key.ProviderId,
                g.Key.SystemId,
                Requests = g.Count(),
                Refused = g.Count(b => b.Outcome == ContributionOutcome.Refused || b.Outcome == ContributionOutcome.PartlyAccepted),
                Kept = g.Sum(b => b.Outcome != ContributionOutcome.Refused ? b.ResourceCount : 0),
            })
            .ToListAsync(cancellationToken);

        // Each system's last refusal in whole or in part (at any time), with what the NEHR answered: what its provider's
        // administrator sees as the latest too.
        // The log's rows are written in the order requests finish, so a system's highest id is its latest.
        var lastRefusalIds = await db.ContributionBatches
            .Where(b => (b.Outcome == ContributionOutcome.Refused || b.Outcome == ContributionOutcome.PartlyAccepted) && b.SystemId != null)
            .GroupBy(b => b.SystemId)
            .Select(g => g.Max(b => b.Id))
            .ToListAsync(cancellationToken);
        var lastRefusals = await db.ContributionBatches.Where(b => lastRefusalIds.Contains(b.Id))
            .Select(b => new { b.SystemId, b.ReceivedAtUtc, b.IssueText })
            .ToDictionaryAsync(b => b.SystemId ?? 0, cancellationToken);

        var systems = await db.SystemConnections.AsNoTracking()
            .Select(s => new { s.Id, s.ProviderId, s.Name, s.Kind, s.State })
            .ToListAsync(cancellationToken);
        var systemsOf = systems.ToLookup(s => s.ProviderId, s =>
        {
            var traffic = recent.Where(r => r.SystemId == s.Id).ToList();
            var refusal = lastRefusals.GetValueOrDefault(s.Id);
            return new SystemCompliance(
                s.Id, s.Name, s.Kind, s.State, lastGoodBySystem.TryGetValue(s.Id, out var l) ? l : null,
                traffic.Sum(r => r.Requests), traffic.Sum(r => r.Refused), refusal?.ReceivedAtUtc, refusal?.IssueText);
        });
        var byProvider = recent.ToLookup(r => r.ProviderId);

        var providers = await db.Providers.AsNoTracking().ToListAsync(cancellationToken);
        return providers
            .Select(p => new ComplianceRow(
                p.Id, p.Code.Value, p.Name, p.Type, p.IsLicensed, p.OnboardingState, p.NehrAccessSuspended,
                lastGood.TryGetValue(p.Id, out var l) ? l : null, byProvider[p.Id].Sum(r => r.Kept))
            {
                RequestsLast30Days = byProvider[p.Id].Sum(r => r.Requests),
                RefusedLast30Days = byProvider[p.Id].Sum(r => r.Refused),
                Systems = systemsOf[p.Id].OrderBy(s => s.State).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList(),
            })
            .OrderByDescending(r => r.NotContributing).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// Every onboarded provider's recertification of its personnel's roles: lapsed ones (their staff have lost NEHR
    /// access) first, then overdue ones, then the rest by due date.
    /// </summary>
    public async Task<IReadOnlyList<RecertificationRow>> RecertificationAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await commands.RequireStaffAsync(who, "compliance.recertification", Moh, cancellationToken);
        var options = recertification.CurrentValue;
        var providers = await db.Providers.AsNoTracking()
            .Where(p => p.OnboardingState == OnboardingState.Onboarded && p.Type != ProviderType.PopulationRegister)
            .ToListAsync(cancellationToken);
        return providers
            .Select(p => new RecertificationRow(p.Id, p.Code.Value, p.Name, RecertificationStatus.Of(p, now, options)))
            .OrderByDescending(r => r.Status.State).ThenBy(r => r.Status.DueUtc ?? DateTime.MinValue).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The latest identity mismatches across every provider, newest first (the data-quality list).</summary>
    public async Task<IReadOnlyList<IdentityMismatchRow>> IdentityMismatchesAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await commands.RequireStaffAsync(who, "identity-mismatches", Moh, cancellationToken);
        return await ContributionReports.LatestMismatches(db, providerId: null).ToListAsync(cancellationToken);
    }

    internal static DateTime StartOfWeek(DateTime t)
    {
        var day = t.Date;
        var offset = ((int)day.DayOfWeek + 6) % 7; // weeks start on Monday
        return DateTime.SpecifyKind(day.AddDays(-offset), DateTimeKind.Utc);
    }

    private static readonly string[] Moh = [Roles.MohAuditor, Roles.MohAdmin];
}
