using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Oversight;

/// <summary>
/// When a provider counts as registering far more patients than it contributes for (section
/// <c>Nehr:Oversight:Registrations</c>). See <see cref="RegistrationRatioRow"/> for the statistic.
/// </summary>
public sealed class RegistrationOversightOptions
{
    public const string Section = "Nehr:Oversight:Registrations";

    /// <summary>A provider is flagged when its ratio is at least this (default 3: three patients registered for each one it contributed for).</summary>
    [Range(1.0, 1000.0)]
    public double RatioThreshold { get; set; } = 3.0;

    /// <summary>…and it registered at least this many patients in the window (default 20), so that a small provider's few registrations do not flag it.</summary>
    [Range(1, 1_000_000)]
    public int MinimumRegisteredPatients { get; set; } = 20;
}

/// <summary>Registrations a provider made on each day shown (Singapore days, oldest first), and their total.</summary>
public sealed record ProviderRegistrationDays(int ProviderId, string ProviderName, IReadOnlyList<int> Counts)
{
    public int Total => Counts.Sum();
}

/// <summary>
/// One provider's registrations against its contributions over the last <see cref="RegistrationOversight.WindowDays"/>
/// days. <see cref="RegisteredPatients"/>: distinct patients it registered (a registration that began in the window,
/// by its administrator or from its systems' encounters). <see cref="ContributedPatients"/>: distinct patients for
/// whom it contributed at least one clinical entry in the same window. <see cref="Ratio"/> = registered / contributed
/// (contributed counted as 1 when 0). A provider is <see cref="Flagged"/> when the ratio is at least the threshold and
/// it registered at least the minimum: it reaches records it does not add care to.
/// </summary>
public sealed record RegistrationRatioRow(int ProviderId, string ProviderName, int RegisteredPatients, int ContributedPatients, double Ratio, bool Flagged);

/// <summary>What MOH sees of care registrations: per provider per day, and the providers that register far more than they contribute for.</summary>
public sealed record RegistrationFigures(
    IReadOnlyList<DateOnly> Days, IReadOnlyList<ProviderRegistrationDays> PerDay, IReadOnlyList<RegistrationRatioRow> Ratios,
    double RatioThreshold, int MinimumRegisteredPatients);

/// <summary>Care registrations watched by MOH (auditors and administrators): a read, audited only when refused.</summary>
public sealed class RegistrationOversight(
    IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands, TimeProvider clock, IOptionsMonitor<RegistrationOversightOptions> options)
{
    /// <summary>The days shown per provider.</summary>
    public const int DaysShown = 14;

    /// <summary>The window of the ratio, in days (the contribution compliance window).</summary>
    public const int WindowDays = ComplianceRow.WindowDays;

    /// <summary>The providers shown in each list, most first.</summary>
    public const int MaxProviders = 50;

    public async Task<RegistrationFigures> FiguresAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await commands.RequireStaffAsync(who, "registration-oversight", Moh, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = options.CurrentValue;

        // Per day: counted in the database one Singapore day at a time, over the registrations' start index.
        var today = NehrCalendar.Today(now);
        var days = Enumerable.Range(0, DaysShown).Select(i => today.AddDays(i - DaysShown + 1)).ToList();
        var counts = new Dictionary<int, int[]>();
        for (var i = 0; i < days.Count; i++)
        {
            var (from, to) = (NehrCalendar.StartOfDayUtc(days[i]), NehrCalendar.StartOfDayUtc(days[i].AddDays(1)));
            var perProvider = await db.CareRegistrations.Where(r => r.RegisteredAtUtc >= from && r.RegisteredAtUtc < to)
                .GroupBy(r => r.ProviderId).Select(g => new { ProviderId = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            foreach (var p in perProvider)
            {
                (counts.TryGetValue(p.ProviderId, out var row) ? row : counts[p.ProviderId] = new int[DaysShown])[i] = p.Count;
            }
        }

        // The ratio: distinct patients registered in the window against distinct patients contributed for.
        var since = now.AddDays(-WindowDays);
        var registered = await db.CareRegistrations.Where(r => r.RegisteredAtUtc >= since && r.RegisteredAtUtc <= now)
            .GroupBy(r => r.ProviderId).Select(g => new { ProviderId = g.Key, Patients = g.Select(r => r.PatientId).Distinct().Count() })
            .ToDictionaryAsync(x => x.ProviderId, x => x.Patients, cancellationToken);
        var registering = registered.Keys.ToList();
        var contributed = await db.ClinicalEntries.Where(e => registering.Contains(e.SourceProviderId) && e.ContributedAtUtc >= since && e.ContributedAtUtc <= now)
            .GroupBy(e => e.SourceProviderId).Select(g => new { ProviderId = g.Key, Patients = g.Select(e => e.PatientId).Distinct().Count() })
            .ToDictionaryAsync(x => x.ProviderId, x => x.Patients, cancellationToken);

        var ids = counts.Keys.Concat(registering).Distinct().ToList();
        var names = await db.Providers.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var ratios = registered
            .Select(r =>
            {
                var patients = contributed.GetValueOrDefault(r.Key);
                var ratio = (double)r.Value / Math.Max(1, patients);
                return new RegistrationRatioRow(r.Key, names.GetValueOrDefault(r.Key, "?"), r.Value, patients, ratio,
                    ratio >= settings.RatioThreshold && r.Value >= settings.MinimumRegisteredPatients);
            })
            .OrderByDescending(r => r.Flagged).ThenByDescending(r => r.Ratio).ThenBy(r => r.ProviderName, StringComparer.OrdinalIgnoreCase)
            .Take(MaxProviders).ToList();
        var perDay = counts
            .Select(c => new ProviderRegistrationDays(c.Key, names.GetValueOrDefault(c.Key, "?"), c.Value))
            .OrderByDescending(p => p.Total).ThenBy(p => p.ProviderName, StringComparer.OrdinalIgnoreCase)
            .Take(MaxProviders).ToList();
        return new RegistrationFigures(days, perDay, ratios, settings.RatioThreshold, settings.MinimumRegisteredPatients);
    }

    private static readonly string[] Moh = [Roles.MohAuditor, Roles.MohAdmin];
}
