using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Identity;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Demo;

/// <summary>Loads the demo world into an empty database: providers, personnel, patients, entries, accounts.</summary>
public sealed class DemoDataSeeder(
    NehrDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    TimeProvider clock,
    AuditTrail audit,
    ILogger<DemoDataSeeder> logger)
{
    public const string SeederId = "system:demo-seeder";
    public const int DemoPatientCount = 50;
    /// <summary>Three of each kind.</summary>
    public const int EntriesPerDemoPatient = 27;

    /// <summary>How many people the development identity provider's page lists (the first by id).</summary>
    private const int DevelopmentIdentityListLength = 12;

    private static string? s_demoPasswordHash;

    private readonly DemoDataGenerator _generator = new();

    /// <summary>Seeds when the register is empty; returns false when there was data already.</summary>
    public async Task<bool> SeedAsync(CancellationToken cancellationToken = default)
    {
        if (await db.Providers.AnyAsync(cancellationToken))
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);

        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var providers = DemoDataGenerator.Providers.Select(p =>
        {
            var provider = new Provider(ProviderCode.Parse(p.Code), p.Name, p.Type, p.Licensed);
            if (p.Onboarded)
            {
                provider.Onboard(now);
            }

            return provider;
        }).ToList();
        db.Providers.AddRange(providers);
        await db.SaveChangesAsync(cancellationToken);
        var byCode = providers.ToDictionary(p => p.Code.Value);

        var patients = Enumerable.Range(0, DemoPatientCount).Select(i => _generator.CreatePatient(i, today)).ToList();
        db.Patients.AddRange(patients);
        await db.SaveChangesAsync(cancellationToken);

        RegisterDemoPatients(patients, byCode, now);
        AddEntries(patients, providers, now);
        await db.SaveChangesAsync(cancellationToken);

        // The two patients who restrict access (index 1: everyone; index 2: all but Northside Polyclinic).
        await AddRestrictionAsync(patients[1], RestrictionMode.RestrictAll, [], now, cancellationToken);
        await AddRestrictionAsync(patients[2], RestrictionMode.AllowSelectedProviders, [byCode["NSP01"].Id], now, cancellationToken);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.DemoDataSeeded,
            CorrelationId = Guid.NewGuid().ToString("N"),
            ActorUserId = SeederId,
            Details = $"providers={providers.Count}; patients={patients.Count}; accounts={DemoAccounts.All.Count}",
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        // One approved system, so that the contribution API can be tried at once (credentials in the README).
        var system = new SystemConnection(byCode["CGH01"].Id, DemoAccounts.SystemName, SeederId, now);
        system.RecordConnectivityTestPassed(now);
        system.CompleteSecurityChecklist(now);
        system.Approve(DemoAccounts.SystemClientId, ClientSecrets.Hash(DemoAccounts.SystemSecret), SeederId, now);
        db.SystemConnections.Add(system);

        // And the population register's feed, the authority on persons (demographics, deaths, NRIC/FIN changes).
        var register = new SystemConnection(byCode["ICA01"].Id, DemoAccounts.RegisterSystemName, SeederId, now, SystemKind.PopulationRegister);
        register.RecordConnectivityTestPassed(now);
        register.CompleteSecurityChecklist(now);
        register.Approve(DemoAccounts.RegisterClientId, ClientSecrets.Hash(DemoAccounts.RegisterSecret), SeederId, now);
        db.SystemConnections.Add(register);
        await db.SaveChangesAsync(cancellationToken);

        AddRepresentatives(patients, now);
        await db.SaveChangesAsync(cancellationToken);

        await CreateAccountsAsync(patients, byCode);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation(
            "Demo data seeded: {Providers} providers, {Patients} patients, {Accounts} accounts.",
            providers.Count, patients.Count, DemoAccounts.All.Count);
        return true;
    }

    /// <summary>
    /// Caregivers and representatives to try: Priya has invited Tan Mei Ling as her caregiver, who accepted (see the
    /// record and the access history); every demo child under 14 has a parent from the population register.
    /// </summary>
    private void AddRepresentatives(List<Patient> patients, DateTime now)
    {
        var caregiver = Representatives.Representation.Invitation(
            patients[2].Id, patients[0].Nric, Representatives.RepresentativePowers.SeeRecord | Representatives.RepresentativePowers.SeeAccessHistory, SeederId, now);
        caregiver.Accept(patients[0].Id, now);
        db.Representations.Add(caregiver);

        var parents = DemoDataGenerator.ParentsOfChildren(patients, now, DevelopmentIdentityListLength);
        foreach (var child in patients.Where(p => now < Representatives.Representation.FourteenthBirthdayUtc(p.DateOfBirth)))
        {
            var parent = parents.GetValueOrDefault(child)
                ?? throw new InvalidOperationException($"The demo has nobody of an age to be the parent of {child.Name}, born {child.DateOfBirth}.");
            db.Representations.Add(Representatives.Representation.ParentOf(child.Id, child.DateOfBirth, parent.Nric, parent.Id, now));
        }
    }

    /// <summary>Registrations by the providers' administrators, each with its end date (two years from now).</summary>
    private void RegisterDemoPatients(List<Patient> patients, Dictionary<string, Provider> byCode, DateTime now)
    {
        var until = NehrCalendar.EndOfDayUtc(NehrCalendar.Today(now).AddYears(2));
        for (var i = 0; i < patients.Count; i++)
        {
            var id = patients[i].Id;
            db.CareRegistrations.Add(new CareRegistration(id, byCode["CGH01"].Id, SeederId, now.AddYears(-2), until));
            if (i < 3 || i % 2 == 0)
            {
                db.CareRegistrations.Add(new CareRegistration(id, byCode["NSP01"].Id, SeederId, now.AddYears(-1), until));
            }

            if (i % 3 == 0)
            {
                db.CareRegistrations.Add(new CareRegistration(id, byCode["BTF01"].Id, SeederId, now.AddMonths(-8), until));
            }

            if (i % 5 == 0)
            {
                db.CareRegistrations.Add(new CareRegistration(id, byCode["HSC01"].Id, SeederId, now.AddMonths(-6), until));
            }
        }
    }

    private void AddEntries(List<Patient> patients, List<Provider> providers, DateTime now)
    {
        // Entries come from every onboarded provider except the dental centre, so its clinician has nothing of theirs.
        var sources = providers
            .Where(p => p.OnboardingState == OnboardingState.Onboarded && p.Code.Value != "EVD01")
            .Select(p => new DemoEntrySource(p.Id, null, p.Type))
            .ToList();
        var batches = new Dictionary<(int Provider, DateTime Day), int>();
        for (var i = 0; i < patients.Count; i++)
        {
            var entries = _generator.CreateEntries(patients[i].Id, i, patients[i].DateOfBirth, patients[i].Sex, sources, EntriesPerDemoPatient, now).ToList();
            db.ClinicalEntries.AddRange(entries);
            foreach (var entry in entries)
            {
                var key = (entry.SourceProviderId, entry.ContributedAtUtc.Date);
                batches[key] = batches.GetValueOrDefault(key) + 1;
            }
        }

        // What MOH's compliance view counts: one contribution per provider and day.
        db.ContributionBatches.AddRange(batches.Select(b =>
            new ContributionBatch(b.Key.Provider, null, b.Value, DateTime.SpecifyKind(b.Key.Day, DateTimeKind.Utc))));
    }

    private async Task AddRestrictionAsync(Patient patient, RestrictionMode mode, int[] providerIds, DateTime now, CancellationToken cancellationToken)
    {
        var change = patient.ChangeRestriction(mode, providerIds, SeederId, now)!;
        db.RestrictionChanges.Add(change);
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = AuditEventTypes.RestrictionChanged,
            CorrelationId = Guid.NewGuid().ToString("N"),
            ActorUserId = SeederId,
            PatientId = patient.Id,
            Reason = $"{change.FromMode} -> {change.ToMode}",
            Details = $"version={change.Version}; providers [] -> [{string.Join(',', change.ToProviderIds)}]",
        }, cancellationToken);
    }

    private async Task CreateAccountsAsync(List<Patient> patients, Dictionary<string, Provider> byCode)
    {
        foreach (var role in Roles.All)
        {
            await EnsureSucceeded(roles.CreateAsync(new IdentityRole(role)), $"role {role}");
        }

        var staff = new Dictionary<string, Personnel>
        {
            [DemoAccounts.HospitalDoctor] = new(byCode["CGH01"].Id, "Dr Lee Wei Jie", ProfessionalRole.Doctor, involvedInCare: true),
            [DemoAccounts.PolyclinicNurse] = new(byCode["NSP01"].Id, "Nurse Wong Hui Min", ProfessionalRole.Nurse, involvedInCare: true),
            [DemoAccounts.OutsideDentist] = new(byCode["EVD01"].Id, "Dr Goh Kai Wen", ProfessionalRole.Dentist, involvedInCare: true),
            [DemoAccounts.HospitalAdmin] = new(byCode["CGH01"].Id, "Ong Shu Fen", ProfessionalRole.Administrator, involvedInCare: false),
        };
        db.Personnel.AddRange(staff.Values);
        await db.SaveChangesAsync();

        var patientAccounts = new Dictionary<string, Patient>
        {
            [DemoAccounts.Patient] = patients[0],
            [DemoAccounts.RestrictedPatient] = patients[1],
            [DemoAccounts.SelectivePatient] = patients[2],
        };

        foreach (var account in DemoAccounts.All)
        {
            var user = new ApplicationUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                DisplayName = account.DisplayName,
                PatientId = patientAccounts.GetValueOrDefault(account.Email)?.Id,
                PersonnelId = staff.GetValueOrDefault(account.Email)?.Id,
            };
            // Patients have no password: they sign in with the national digital identity (the development provider).
            user.PasswordHash = account.IsStaff ? DemoPasswordHash(users, user) : null;
            await EnsureSucceeded(users.CreateAsync(user), account.Email);
            await EnsureSucceeded(users.AddToRoleAsync(user, account.Role), $"{account.Email} in {account.Role}");
            if (account.IsStaff)
            {
                // Where Identity's store keeps an authenticator key; UserManager only offers a random one.
                await EnsureSucceeded(users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", DemoAccounts.AuthenticatorKey), $"{account.Email}'s authenticator");
                await EnsureSucceeded(users.SetTwoFactorEnabledAsync(user, true), $"{account.Email}'s second factor");
            }
        }
    }

    /// <summary>
    /// Every demo account has the one published password, so it is hashed once per process (PBKDF2 at 210,000
    /// iterations costs a noticeable fraction of a second, and the tests seed a fresh database many times).
    /// </summary>
    private static string DemoPasswordHash(UserManager<ApplicationUser> users, ApplicationUser user) =>
        s_demoPasswordHash ??= users.PasswordHasher.HashPassword(user, DemoAccounts.Password);

    private static async Task EnsureSucceeded(Task<IdentityResult> operation, string what)
    {
        var result = await operation;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Could not create {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
