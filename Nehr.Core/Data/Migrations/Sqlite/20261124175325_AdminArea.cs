using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdminArea : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ConnectivityKeyHash",
                table: "SystemConnections",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SecurityItems",
                table: "SystemConnections",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "StateChangedAtUtc",
                table: "SystemConnections",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StateChangedBy",
                table: "SystemConnections",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MustChangePassword",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ContributionBatches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    SystemId = table.Column<int>(type: "INTEGER", nullable: true),
                    ResourceCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ReceivedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContributionBatches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ContributionBatches_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ContributionBatches_SystemConnections_SystemId",
                        column: x => x.SystemId,
                        principalTable: "SystemConnections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Directives",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Instructions = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    DeadlineUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    IssuedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    IssuedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AcknowledgedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Attestation = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AttestedBy = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    AttestedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Directives", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Directives_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_ActorPersonnelId_OccurredAtUtc",
                table: "AuditEvents",
                columns: new[] { "ActorPersonnelId", "OccurredAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ContributionBatches_ProviderId_ReceivedAtUtc",
                table: "ContributionBatches",
                columns: new[] { "ProviderId", "ReceivedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ContributionBatches_SystemId",
                table: "ContributionBatches",
                column: "SystemId");

            migrationBuilder.CreateIndex(
                name: "IX_Directives_ProviderId_Status",
                table: "Directives",
                columns: new[] { "ProviderId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ContributionBatches");

            migrationBuilder.DropTable(
                name: "Directives");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_ActorPersonnelId_OccurredAtUtc",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "ConnectivityKeyHash",
                table: "SystemConnections");

            migrationBuilder.DropColumn(
                name: "SecurityItems",
                table: "SystemConnections");

            migrationBuilder.DropColumn(
                name: "StateChangedAtUtc",
                table: "SystemConnections");

            migrationBuilder.DropColumn(
                name: "StateChangedBy",
                table: "SystemConnections");

            migrationBuilder.DropColumn(
                name: "MustChangePassword",
                table: "AspNetUsers");
        }
    }
}
