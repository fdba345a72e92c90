"""A small world of tenants for domain tests, built on the in-memory adapters."""
from ringback.accounts.provisioning import Directories
from ringback.accounts.tenants import Membership, Tenant
from ringback.adapters.memory import MemoryCallLog, MemoryPools, MemorySites, MemoryTenants


def directories() -> Directories:
    return Directories(MemoryTenants(), MemorySites(), MemoryPools())


def agency_world():
    """An agency with two clients, an unrelated customer, and one user in each."""
    dirs = directories()
    t = dirs.tenants
    t.save(Tenant("agency", "Agency", kind="agency"))
    t.save(Tenant("client-a", "Client A", parent_id="agency"))
    t.save(Tenant("client-b", "Client B", parent_id="agency"))
    t.save(Tenant("other", "Other Co"))
    t.add_member(Membership("agency", "u-agency", "a@agency.test", "admin"))
    t.add_member(Membership("client-a", "u-client", "c@a.test", "owner"))
    t.add_member(Membership("other", "u-other", "o@other.test", "owner"))
    return dirs


__all__ = ["directories", "agency_world", "MemoryCallLog"]
