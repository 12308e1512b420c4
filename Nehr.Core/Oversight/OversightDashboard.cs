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
        var denied = await db.AuditEvents.AsNoTracking()
            .Where(e => e.OccurredAtUtc >= weekStart && e.Outcome == AuditOutcome.Denied)
            .Select(e => e.OccurredAtUtc).ToListAsync(cancellationToken);
        var providerNames = await db.Providers.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var directives = await db.Directives.AsNoTracking().Where(d => d.Status != DirectiveStatus.Done && d.DeadlineUtc < now).CountAsync(cancellationToken);

        var weeks = Enumerable.Range(0, Weeks).Select(i => weekStart.AddDays(7 * i)).ToList();
        List<ChartPoint> PerWeek(IEnumerable<DateTime> times)
        {
            var counts = times.GroupBy(StartOfWeek).ToDictionary(g => g.Key, g => g.Count());
            return weeks.Select(w => new ChartPoint(w.ToString("d MMM", CultureInfo.InvariantCulture), counts.GetValueOrDefault(w))).ToList();
        }

        var backlog = pending.Concat(openReports).Select(t => (now - t).TotalDays).ToList();
        return new OversightFigures(
            byState.Where(s => s.Key == OnboardingState.Onboarded).Sum(s => s.Count),
            byState.Where(s => s.Key == OnboardingState.NotOnboarded).Sum(s => s.Count),
            await db.Patients.CountAsync(cancellationToken),
            pending.Count,
            openReports.Count,
            directives,
            PerWeek(overrides.Select(o => o.GrantedAtUtc)),
            overrides.GroupBy(o => o.ProviderId)
                .Select(g => new ChartPoint(providerNames.GetValueOrDefault(g.Key, "?"), g.Count()))
                .OrderByDescending(p => p.Count).ThenBy(p => p.Label, StringComparer.Ordinal).Take(10).ToList(),
            [
                new("Under 1 day", backlog.Count(d => d < 1)),
                new("1-7 days", backlog.Count(d => d is >= 1 and < 7)),
                new("7-30 days", backlog.Count(d => d is >= 7 and < 30)),
                new("30 days or more", backlog.Count(d => d >= 30)),
            ],
            PerWeek(denied));
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

    private async Task RequireMohAsync(NehrDbContext db, AuditContext who, string action, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var actor = await StaffActor.LoadOrNullAsync(db, who?.UserId, now, cancellationToken);
        if (actor is null || !(actor.Roles.Contains(Roles.MohAuditor) || actor.Roles.Contains(Roles.MohAdmin)))
        {
            await StaffActor.RefuseAsync(db, audit, who!, actor, action, "requires an MOH role", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
