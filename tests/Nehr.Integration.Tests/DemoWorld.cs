using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

/// <summary>Ids of the demo world's people, looked up once per portal.</summary>
public sealed record DemoWorld(
    string DoctorUserId, int DoctorPersonnelId, string NurseUserId, string DentistUserId, string AdminUserId, string AuditorUserId,
    string PatientUserId, string RestrictedUserId, string SelectiveUserId,
    int OpenPatientId, int RestrictedPatientId, int SelectivePatientId, int HospitalId, string MohAdminUserId)
{
    public static async Task<DemoWorld> LoadAsync(PortalFactory portal)
    {
        _ = portal.Server;
        await using var db = portal.CreateDbContext();
        var users = await db.Users.AsNoTracking().Where(u => u.Email != null).ToDictionaryAsync(u => u.Email!);
        var doctor = users[DemoAccounts.HospitalDoctor];
        var hospital = await db.Personnel.Where(p => p.Id == doctor.PersonnelId).Select(p => p.ProviderId).SingleAsync();
        return new DemoWorld(
            doctor.Id, doctor.PersonnelId!.Value, users[DemoAccounts.PolyclinicNurse].Id, users[DemoAccounts.OutsideDentist].Id,
            users[DemoAccounts.HospitalAdmin].Id, users[DemoAccounts.Auditor].Id,
            users[DemoAccounts.Patient].Id, users[DemoAccounts.RestrictedPatient].Id, users[DemoAccounts.SelectivePatient].Id,
            users[DemoAccounts.Patient].PatientId!.Value, users[DemoAccounts.RestrictedPatient].PatientId!.Value,
            users[DemoAccounts.SelectivePatient].PatientId!.Value, hospital, users[DemoAccounts.MohAdmin].Id);
    }

    public static AuditContext As(string userId) => new(userId, "127.0.0.1", Guid.NewGuid().ToString("N"));

    /// <summary>A last day an administrator's registration may have: six months from the portal's today (Singapore).</summary>
    public static DateOnly RegistrationEnd(PortalFactory portal) => Nehr.Core.NehrCalendar.Today(portal.Clock.GetUtcNow().UtcDateTime).AddMonths(6);

    /// <summary>A justification an emergency override accepts.</summary>
    public const string OverrideJustification = "Patient collapsed in the emergency department and is unconscious; need current medications before intubation.";
}

internal static class AuditQueries
{
    public static Task<AuditEvent> LastEventAsync(this NehrDbContext db) =>
        db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).FirstAsync();

    /// <summary><paramref name="n"/> record reads appended to the trail through <paramref name="portal"/>, in one transaction.</summary>
    public static async Task AppendReadsAsync(this PortalFactory portal, int n)
    {
        var trail = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<AuditTrail>(portal.Services);
        await using var db = portal.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var i = 0; i < n; i++)
        {
            await trail.AppendAsync(db, new AuditEntry
            {
                EventType = AuditEventTypes.RecordRead, CorrelationId = Guid.NewGuid().ToString("N"), ActorUserId = "tester",
                PatientId = i + 1, Level = Nehr.Core.Access.AccessLevel.Full, Reason = "NoRestriction",
            });
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
