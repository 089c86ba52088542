-- A sign-off names the owner role it is given for (docs/rollout.md, "Owner sign-offs"): a
-- criterion whose policy lists owners passes once every listed owner has signed. Sign-offs
-- recorded before carry no owner ('') and still satisfy criteria that list none.
alter table rollout.signoffs add column owner text not null default '';
