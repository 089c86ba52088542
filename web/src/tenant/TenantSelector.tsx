/**
 * The global tenant selector of the top bar: a button that opens a listbox of the tenants
 * from /console/tenants. Choosing one writes `?tenant=` (so Back/Forward and shared links
 * behave the same way) and the layout starts the switch from there.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useConsole } from '../app/console-context.ts';
import { withTenantParam } from './url-tenant.ts';

export function TenantSelector() {
  const { tenant, tenants, switching, tenantName, nextSwitchTrigger } = useConsole();
  const navigate = useNavigate();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const listId = useId();
  const shown = switching ? switching.to : tenant;

  useEffect(() => {
    if (!open) return;
    listRef.current?.focus();
    const close = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const openList = () => {
    setActive(Math.max(0, tenants.findIndex((t) => t.id === tenant)));
    setOpen(true);
  };

  const choose = (id: string) => {
    setOpen(false);
    buttonRef.current?.focus();
    if (id === tenant) return;
    nextSwitchTrigger.current = 'selector';
    navigate({ pathname: location.pathname, search: withTenantParam(location.search, id), hash: location.hash });
  };

  const onListKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key === 'ArrowDown') setActive((i) => Math.min(tenants.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Home') setActive(0);
    else if (event.key === 'End') setActive(tenants.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') {
      const option = tenants[active];
      if (option) choose(option.id);
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      setOpen(false);
      if (event.key === 'Escape') buttonRef.current?.focus();
      return;
    } else return;
    event.preventDefault();
  };

  return (
    <div className="tenant-selector" ref={rootRef}>
      <span className="tenant-selector-label" id={`${listId}-label`}>
        Tenant
      </span>
      <button
        ref={buttonRef}
        type="button"
        className="tenant-selector-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={listId}
        aria-labelledby={`${listId}-label ${listId}-value`}
        disabled={switching !== null || tenants.length === 0}
        data-testid="tenant-selector"
        data-tenant={shown ?? ''}
        onClick={() => (open ? setOpen(false) : openList())}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            openList();
          }
        }}
      >
        <span id={`${listId}-value`}>{tenantName(shown)}</span>
        {switching ? <span className="spinner small" aria-label="switching tenant" /> : <span aria-hidden="true">▾</span>}
      </button>
      {open && (
        <ul
          ref={listRef}
          id={listId}
          role="listbox"
          tabIndex={-1}
          aria-labelledby={`${listId}-label`}
          aria-activedescendant={tenants[active] ? `${listId}-${tenants[active].id}` : undefined}
          className="tenant-selector-list"
          onKeyDown={onListKey}
        >
          {tenants.map((option, index) => (
            <li
              key={option.id}
              id={`${listId}-${option.id}`}
              role="option"
              aria-selected={option.id === tenant}
              className={index === active ? 'active' : undefined}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(option.id)}
            >
              <span className="tenant-name">{option.displayName}</span>
              <span className="tenant-id">{option.id}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
