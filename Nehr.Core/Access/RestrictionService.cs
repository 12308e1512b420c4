using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Core.Access;

/// <summary>A patient's own choice of who may see the full record. Every change is a version and is audited.</summary>
public sealed class RestrictionService(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail audit, TimeProvider clock)
{
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
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var patientId = await db.Users.Where(u => who.UserId != null && u.Id == who.UserId)
            .Select(u => u.PatientId).SingleOrDefaultAsync(cancellationToken)
            ?? throw new DomainException("Only a patient can change their own access settings.");
        var patient = await db.Patients.Include(p => p.AllowedProviders).SingleAsync(p => p.Id == patientId, cancellationToken);
        if (patient.RestrictionVersion != expectedVersion)
        {
            throw new DomainException("Your access settings were changed elsewhere in the meantime. Reload the page to see them, then try again.");
        }

        var distinct = providerIds.Distinct().ToArray();
        var known = await db.Providers.CountAsync(p => distinct.Contains(p.Id), cancellationToken);
        if (known != distinct.Length)
        {
            throw new DomainException("One of the selected providers is not in the provider register.");
        }

        var change = patient.ChangeRestriction(mode, distinct, who.UserId!, clock.GetUtcNow().UtcDateTime);
        if (change is null)
        {
            return null;
        }

        db.RestrictionChanges.Add(change);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.RestrictionChanged,
            CorrelationId = who.CorrelationId,
            ActorUserId = who.UserId,
            ActorRole = Roles.Patient,
            ClientAddress = who.ClientAddress,
            PatientId = patient.Id,
            Reason = string.Create(CultureInfo.InvariantCulture, $"{change.FromMode} -> {change.ToMode}"),
            Details = string.Create(CultureInfo.InvariantCulture,
                $"version={change.Version}; providers [{string.Join(',', change.FromProviderIds)}] -> [{string.Join(',', change.ToProviderIds)}]"),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return change;
    }
}
