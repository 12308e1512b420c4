using Nehr.Core.Representatives;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Access;

/// <summary>A provider as a patient sees it when choosing who may see the full record.</summary>
public sealed record ProviderChoice(int Id, string Code, string Name, string Type);

/// <summary>One version of the restriction, with the providers named.</summary>
public sealed record RestrictionVersionView(
    int Version, DateTime ChangedAtUtc, RestrictionMode From, RestrictionMode To,
    IReadOnlyList<string> FromProviders, IReadOnlyList<string> ToProviders, bool ByPatient);

/// <summary>The patient's current settings and their history, newest first.</summary>
public sealed record RestrictionSettings(
    RestrictionMode Mode, int Version, IReadOnlyList<ProviderChoice> AllowedProviders, IReadOnlyList<RestrictionVersionView> History);

/// <summary>A patient's own choice of who may see the full record. Every change is a version and is audited.</summary>
public sealed class RestrictionService(IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands)
{
    public const int MaxSearchResults = 20;

    /// <summary>The signed-in patient's settings; anyone who is not a patient is refused (audited).</summary>
    public Task<RestrictionSettings> GetOwnAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "read access settings", RepresentativePowers.ChangeAccess, async command =>
    {
        var (db, patientId) = (command.Db, command.PatientId);

        var patient = await db.Patients.AsNoTracking().Include(p => p.AllowedProviders).SingleAsync(p => p.Id == patientId, cancellationToken);
        var changes = await db.RestrictionChanges.AsNoTracking().Where(c => c.PatientId == patientId)
            .OrderByDescending(c => c.Version).ToListAsync(cancellationToken);
        var ids = patient.AllowedProviders.Select(a => a.ProviderId)
            .Concat(changes.SelectMany(c => c.FromProviderIds.Concat(c.ToProviderIds))).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
        var byId = providers.ToDictionary(p => p.Id);
        string Name(int id) => byId.TryGetValue(id, out var p) ? p.Name : $"provider {id}";
        return new RestrictionSettings(
            patient.RestrictionMode,
            patient.RestrictionVersion,
            patient.AllowedProviders.Select(a => byId[a.ProviderId]).OrderBy(p => p.Name)
                .Select(p => new ProviderChoice(p.Id, p.Code.Value, p.Name, p.Type.ToString())).ToList(),
            changes.Select(c => new RestrictionVersionView(
                c.Version, c.ChangedAtUtc, c.FromMode, c.ToMode,
                c.FromProviderIds.Select(Name).ToList(), c.ToProviderIds.Select(Name).ToList(), c.ChangedBy == who.UserId)).ToList());
    }, cancellationToken);

    /// <summary>Searches the provider register by name or code, for the patient's picker.</summary>
    public async Task<IReadOnlyList<ProviderChoice>> SearchProvidersAsync(string? text, CancellationToken cancellationToken = default)
    {
        var term = (text ?? string.Empty).Trim();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Providers.AsNoTracking().Where(p => p.IsLicensed);
        if (term.Length > 0)
        {
            var pattern = TextSearch.ContainsPattern(term);
            query = ProviderCode.TryParse(term, out var code, out _)
                ? query.Where(p => EF.Functions.Like(p.Name.ToUpper(), pattern, TextSearch.Escape) || p.Code == code)
                : query.Where(p => EF.Functions.Like(p.Name.ToUpper(), pattern, TextSearch.Escape));
        }

        var found = await query.OrderBy(p => p.Name).Take(MaxSearchResults).ToListAsync(cancellationToken);
        return found.Select(p => new ProviderChoice(p.Id, p.Code.Value, p.Name, p.Type.ToString())).ToList();
    }

    /// <summary>
    /// Changes the signed-in patient's restriction. <paramref name="expectedVersion"/> is the version the patient
    /// saw: if it changed meanwhile (another tab, another device) nothing is saved and they are told to reload.
    /// Returns null when the settings were already as asked.
    /// </summary>
    public async Task<RestrictionChange?> ChangeOwnAsync(
        AuditContext who, RestrictionMode mode, IReadOnlyCollection<int> providerIds, int expectedVersion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(providerIds);
        return await commands.RunAsPatientAsync<RestrictionChange?>(who, "change access settings", RepresentativePowers.ChangeAccess, async command =>
        {
            var (db, patientId) = (command.Db, command.PatientId);
            var patient = await db.Patients.Include(p => p.AllowedProviders).SingleAsync(p => p.Id == patientId, cancellationToken);
            if (patient.RestrictionVersion != expectedVersion)
            {
                throw new DomainException(new PatientMessage("Your access settings were changed elsewhere in the meantime. Reload the page to see them, then try again."));
            }

            var distinct = providerIds.Distinct().ToArray();
            var known = await db.Providers.CountAsync(p => distinct.Contains(p.Id), cancellationToken);
            if (known != distinct.Length)
            {
                throw new DomainException(new PatientMessage("One of the selected providers is not in the provider register."));
            }

            var change = patient.ChangeRestriction(mode, distinct, who.UserId!, command.Now);
            if (change is null)
            {
                return null;
            }

            db.RestrictionChanges.Add(change);
            await command.AuditAsync(AuditEventTypes.RestrictionChanged,
                string.Create(CultureInfo.InvariantCulture,
                    $"version={change.Version}; providers [{string.Join(',', change.FromProviderIds)}] -> [{string.Join(',', change.ToProviderIds)}]"),
                string.Create(CultureInfo.InvariantCulture, $"{change.FromMode} -> {change.ToMode}"), cancellationToken);
            if (command.Representation is { } representation)
            {
                // A representative changed who may see the record: the patient is told, in the portal and by e-mail.
                var representative = await db.Patients.AsNoTracking().Where(p => p.Id == command.Subject.OwnPatientId).Select(p => p.Name).SingleAsync(cancellationToken);
                var names = await db.Providers.AsNoTracking().Where(p => change.ToProviderIds.Contains(p.Id)).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync(cancellationToken);
                var who = MessageArgument.Text(representative);
                var kind = MessageArgument.Phrase(Representation.Display(representation.Kind).ToLowerInvariant());
                await Notifications.PatientNotifier.NotifyAsync(db, patientId, Notifications.NoticeKind.Representation, change.ToMode switch
                    {
                        RestrictionMode.None => new PatientMessage(
                            "{0} ({1}) changed who may see your record: every provider caring for you may see your full record.", who, kind),
                        RestrictionMode.RestrictAll => new PatientMessage(
                            "{0} ({1}) changed who may see your record: providers see only the basic set (allergies, vaccinations), except in an emergency.", who, kind),
                        _ => new PatientMessage(
                            "{0} ({1}) changed who may see your record: only {2} may see your full record; others see the basic set.",
                            who, kind, MessageArgument.Text(string.Join(", ", names))),
                    }, command.Now, cancellationToken: cancellationToken);
            }

            return change;
        }, cancellationToken);
    }
}
