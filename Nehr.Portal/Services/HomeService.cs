using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Portal.Services;

/// <summary>What each area's home page shows about the signed-in person, read from current data.</summary>
public sealed class HomeService(IDbContextFactory<NehrDbContext> dbFactory, TimeProvider clock)
{
    public async Task<PatientSummary?> GetPatientHomeAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var patientId = await AccountOf(db, user).Select(u => u.PatientId).SingleOrDefaultAsync(cancellationToken);
        if (patientId is null)
        {
            return null;
        }

        var patient = await db.Patients.AsNoTracking().SingleAsync(p => p.Id == patientId, cancellationToken);
        // Every current registration: by a provider's administrator (until the end date they set) or from a visit its
        // system sent (while the episode is under way, and a set time after it ends).
        var registrations = await db.CareRegistrations.AsNoTracking().CurrentAt(clock.GetUtcNow().UtcDateTime)
            .Where(r => r.PatientId == patient.Id)
            .Join(db.Providers, r => r.ProviderId, p => p.Id, (r, p) => new RegistrationView(p.Name, r.Source, r.RegisteredAtUtc, r.ExpiresAtUtc)
            {
                Id = r.Id,
                Report = db.AccessReports.Where(a => a.RegistrationId == r.Id).Select(a => (ReportStatus?)a.Status).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return new PatientSummary(
            patient.Name, patient.Nric.Masked, patient.DateOfBirth, patient.Sex, patient.Race, patient.RestrictionMode,
            registrations.OrderBy(r => r.Provider, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.SinceUtc).ToList());
    }

    public async Task<StaffSummaryView?> GetStaffHomeAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var personnelId = await AccountOf(db, user).Select(u => u.PersonnelId).SingleOrDefaultAsync(cancellationToken);
        if (personnelId is null)
        {
            return null;
        }

        var person = await db.Personnel.AsNoTracking().SingleAsync(p => p.Id == personnelId, cancellationToken);
        var provider = await db.Providers.AsNoTracking().SingleAsync(p => p.Id == person.ProviderId, cancellationToken);
        var registeredPatients = await db.CareRegistrations.CurrentAt(clock.GetUtcNow().UtcDateTime)
            .Where(r => r.ProviderId == provider.Id).Select(r => r.PatientId).Distinct().CountAsync(cancellationToken);
        var staff = await db.Personnel.CountAsync(p => p.ProviderId == provider.Id && p.IsActive, cancellationToken);
        return new StaffSummaryView(
            person.Name, person.Role, person.InvolvedInCare, person.IsActive, person.NehrAccessSuspended,
            provider.Name, provider.Code.Value, provider.Type, provider.OnboardingState, provider.NehrAccessSuspended,
            registeredPatients, staff);
    }

    private static IQueryable<ApplicationUser> AccountOf(NehrDbContext db, ClaimsPrincipal user)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return db.Users.AsNoTracking().Where(u => userId != null && u.Id == userId);
    }
}

public sealed record PatientSummary(
    string Name, string MaskedNric, DateOnly DateOfBirth, Sex Sex, Race Race, RestrictionMode Restriction,
    IReadOnlyList<RegistrationView> Registrations);

/// <summary>A current care registration as the patient sees it: with whom, how it came about, since and until when.</summary>
public sealed record RegistrationView(string Provider, RegistrationSource Source, DateTime SinceUtc, DateTime? UntilUtc)
{
    public long Id { get; init; }

    /// <summary>Where the patient's report of this registration stands; null when not reported.</summary>
    public ReportStatus? Report { get; init; }
}

public sealed record StaffSummaryView(
    string Name, ProfessionalRole Role, bool InvolvedInCare, bool IsActive, bool Suspended,
    string ProviderName, string ProviderCode, ProviderType ProviderType, OnboardingState ProviderOnboarding,
    bool ProviderSuspended, int RegisteredPatients, int ActiveStaff);
