using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Oversight;

/// <summary>A labelled count for a chart.</summary>
public sealed record ChartPoint(string Label, int Count);

public sealed record OversightFigures(
    int OnboardedProviders, int ProvidersNotOnboarded, int Patients, int PendingOverrides, int OpenReports, int OverdueDirectives,
    IReadOnlyList<ChartPoint> OverridesPerWeek, IReadOnlyList<ChartPoint> OverridesPerProvider, IReadOnlyList<ChartPoint> BacklogAge,
    IReadOnlyList<ChartPoint> DeniedPerWeek);

/// <summary>One provider's contribution to the NEHR.</summary>
public sealed record ComplianceRow(
    int ProviderId, string Code, string Name, ProviderType Type, bool Licensed, OnboardingState Onboarding, bool Suspended,
    DateTime? LastContributionUtc, int ResourcesLast30Days)
{
    /// <summary>Licensed providers must contribute; one that never has is out of compliance.</summary>
    public bool NotContributing => Licensed && LastContributionUtc is null;
}

/// <summary>The MOH dashboard and the contribution compliance view (for MOH auditors and administrators).</summary>
public sealed class OversightDashboard(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock)
{
    public const int Weeks = 12;

    public async Task<OversightFigures> FiguresAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await RequireMohAsync(db, who, "dashboard", now, cancellationToken);

        var weekStart = StartOfWeek(now).AddDays(-7 * (Weeks - 1));
        var byState = await db.Providers.GroupBy(p => p.OnboardingState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
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

    /// <summary>Every licensed provider with its onboarding state, last contribution and 30-day volume.</summary>
    public async Task<IReadOnlyList<ComplianceRow>> ComplianceAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await RequireMohAsync(db, who, "compliance", now, cancellationToken);
        var since = now.AddDays(-30);
        var last = await db.ContributionBatches.GroupBy(b => b.ProviderId)
            .Select(g => new { ProviderId = g.Key, Last = g.Max(b => b.ReceivedAtUtc) })
            .ToDictionaryAsync(x => x.ProviderId, x => x.Last, cancellationToken);
        var volume = await db.ContributionBatches.Where(b => b.ReceivedAtUtc >= since).GroupBy(b => b.ProviderId)
            .Select(g => new { ProviderId = g.Key, Count = g.Sum(b => b.ResourceCount) })
            .ToDictionaryAsync(x => x.ProviderId, x => x.Count, cancellationToken);
        var providers = await db.Providers.AsNoTracking().ToListAsync(cancellationToken);
        return providers
            .Select(p => new ComplianceRow(
                p.Id, p.Code.Value, p.Name, p.Type, p.IsLicensed, p.OnboardingState, p.NehrAccessSuspended,
                last.TryGetValue(p.Id, out var l) ? l : null, volume.GetValueOrDefault(p.Id)))
            .OrderByDescending(r => r.NotContributing).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    internal static DateTime StartOfWeek(DateTime t)
    {
        var day = t.Date;
        var offset = ((int)day.DayOfWeek + 6) % 7; // weeks start on Monday
        return DateTime.SpecifyKind(day.AddDays(-offset), DateTimeKind.Utc);
    }

    private Task<StaffActor> RequireMohAsync(NehrDbContext db, AuditContext who, string action, DateTime now, CancellationToken cancellationToken) =>
        StaffActor.RequireAsync(db, audit, who, action, now, cancellationToken, Roles.MohAuditor, Roles.MohAdmin);
}
