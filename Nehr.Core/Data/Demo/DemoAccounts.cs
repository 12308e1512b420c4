using Nehr.Core.Identity;

namespace Nehr.Core.Data.Demo;

/// <summary>
/// The demo accounts named in the README. Staff accounts have the same password and authenticator key; patient accounts
/// have no password (patients sign in with the national digital identity: the development provider in Development).
/// </summary>
public static class DemoAccounts
{
    public const string Password = "Demo-Passw0rd!";

    /// <summary>
    /// The authenticator key (Base32, for any TOTP app) of every demo staff account: staff sign in with a second
    /// factor. Each code works once per account. <c>dotnet run --project Nehr.Portal -- demo-code</c> prints the current one.
    /// </summary>
    public const string AuthenticatorKey = "NEHRDEMOSTAFFKEYFORTRYINGTHEPORT";

    /// <summary>The approved demo system of Central General Hospital, for trying the contribution API.</summary>
    public const string SystemClientId = "nehr-system-demo-cgh";

    public const string SystemSecret = "demo-cgh-emr-secret-for-trying-the-api";

    public const string SystemName = "CGH EMR (demo)";

    /// <summary>The approved demo system of the population register (Immigration &amp; Checkpoints Authority): persons only.</summary>
    public const string RegisterClientId = "nehr-system-demo-register";

    public const string RegisterSecret = "demo-population-register-secret-for-trying";

    public const string RegisterSystemName = "Population register feed (demo)";

    public const string Patient = "patient@nehr.demo";
    public const string RestrictedPatient = "patient.restricted@nehr.demo";
    public const string SelectivePatient = "patient.selective@nehr.demo";
    public const string HospitalDoctor = "dr.lee@nehr.demo";
    public const string PolyclinicNurse = "nurse.wong@nehr.demo";
    public const string OutsideDentist = "dr.outside@nehr.demo";
    public const string HospitalAdmin = "admin.cgh@nehr.demo";
    public const string Auditor = "auditor@nehr.demo";
    public const string MohAdmin = "mohadmin@nehr.demo";

    public static readonly IReadOnlyList<DemoAccount> All =
    [
        new(Patient, Roles.Patient, "Tan Mei Ling", "patient with no restriction"),
        new(RestrictedPatient, Roles.Patient, "Muhammad Faizal bin Rahman", "patient who restricts all providers"),
        new(SelectivePatient, Roles.Patient, "Priya d/o Raman", "patient who allows only Northside Polyclinic"),
        new(HospitalDoctor, Roles.Clinician, "Dr Lee Wei Jie", "doctor at Central General Hospital, where all demo patients are registered"),
        new(PolyclinicNurse, Roles.Clinician, "Nurse Wong Hui Min", "nurse at Northside Polyclinic, the provider Priya allows"),
        new(OutsideDentist, Roles.Clinician, "Dr Goh Kai Wen", "dentist at Eastview Dental Centre, where no demo patient is registered"),
        new(HospitalAdmin, Roles.ProviderAdmin, "Ong Shu Fen", "provider administrator of Central General Hospital"),
        new(Auditor, Roles.MohAuditor, "Chua Pei Shan", "MOH auditor"),
        new(MohAdmin, Roles.MohAdmin, "Ho Yong Sheng", "MOH administrator"),
    ];
}

public sealed record DemoAccount(string Email, string Role, string DisplayName, string Description)
{
    /// <summary>Staff (everyone but patients) sign in with a second factor.</summary>
    public bool IsStaff => Roles.IsStaff([Role]);
}
