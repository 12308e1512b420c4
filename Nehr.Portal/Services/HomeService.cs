using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Portal.Services;

/// <summary>What each area's home page shows about the signed-in person, read from current data.</summary>
public sealed class HomeService(IDbContextFactory<NehrDbContext> dbFactory)
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
        var providers = await db.CareRegistrations.AsNoTracking()
            .Where(r => r.PatientId == patient.Id && r.EndedAtUtc == null)
            .Join(db.Providers, r => r.ProviderId, p => p.Id, (r, p) => p.Name)
            .OrderBy(n => n)
            .ToListAsync(cancellationToken);
        return new PatientSummary(
            patient.Name, patient.Nric.Masked, patient.DateOfBirth, patient.Sex, patient.Race, patient.RestrictionMode, providers);
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
        var registeredPatients = await db.CareRegistrations
            .CountAsync(r => r.ProviderId == provider.Id && r.EndedAtUtc == null, cancellationToken);
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
    IReadOnlyList<string> RegisteredWith);

public sealed record StaffSummaryView(
    string Name, ProfessionalRole Role, bool InvolvedInCare, bool IsActive, bool Suspended,
    string ProviderName, string ProviderCode, ProviderType ProviderType, OnboardingState ProviderOnboarding,
    bool ProviderSuspended, int RegisteredPatients, int ActiveStaff);
