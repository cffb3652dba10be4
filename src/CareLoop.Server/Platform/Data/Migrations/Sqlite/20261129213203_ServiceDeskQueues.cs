using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServiceDeskQueues : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_AssigneeId_Status_SlaDueAt",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_GroupId_Status_SlaDueAt",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_Status_SlaDueAt",
                table: "Tickets");

            migrationBuilder.RenameColumn(
                name: "MinutesUsed",
                table: "SlaOutcomes",
                newName: "SecondsUsed");

            migrationBuilder.AddColumn<DateTime>(
                name: "QueueDueAt",
                table: "Tickets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_AssigneeId_QueueDueAt_Number",
                table: "Tickets",
                columns: new[] { "AssigneeId", "QueueDueAt", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_GroupId_QueueDueAt_Number",
                table: "Tickets",
                columns: new[] { "GroupId", "QueueDueAt", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueDueAt_Number",
                table: "Tickets",
                columns: new[] { "QueueDueAt", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_AssigneeId_QueueDueAt_Number",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_GroupId_QueueDueAt_Number",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueDueAt_Number",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "QueueDueAt",
                table: "Tickets");

            migrationBuilder.RenameColumn(
                name: "SecondsUsed",
                table: "SlaOutcomes",
                newName: "MinutesUsed");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_AssigneeId_Status_SlaDueAt",
                table: "Tickets",
                columns: new[] { "AssigneeId", "Status", "SlaDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_GroupId_Status_SlaDueAt",
                table: "Tickets",
                columns: new[] { "GroupId", "Status", "SlaDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_Status_SlaDueAt",
                table: "Tickets",
                columns: new[] { "Status", "SlaDueAt" });
        }
    }
}
